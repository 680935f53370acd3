// The one place that includes Asio's coroutine header for the public API.
// g++ 12 needs <utility> before Asio ("'exchange' is not a member of 'std'");
// clang 14 needs the coroutine macros defined explicitly (see CONVENTIONS.md).
#pragma once

#include <utility>

#if defined(__clang__)
#ifndef BOOST_ASIO_HAS_CO_AWAIT
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif
#ifndef BOOST_ASIO_HAS_STD_COROUTINE
#define BOOST_ASIO_HAS_STD_COROUTINE 1
#endif
#endif

#include <boost/asio/awaitable.hpp>

namespace dealsync {
template <typename T = void>
using Awaitable = boost::asio::awaitable<T>;
}  // namespace dealsync
