// The linker: finds the other copy of a deal by registration id, by the other
// side's id stored in a custom field, or by a match key (normalised account +
// close month + amount band). Only a unique candidate is linked; several are
// recorded as an ambiguity for an operator. Operator-broken pairs stay broken.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "src/engine/engine_impl.h"
#include "src/engine/field_values.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

// Lower-case alphanumerics of the account name, legal-form suffixes dropped.
std::string NormaliseAccount(std::string_view account) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : account) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) {
    words.push_back(std::move(word));
  }
  static const std::vector<std::string> kSuffixes = {"inc",  "ltd", "llc", "gmbh", "ag", "sa",
                                                     "corp", "co",  "plc", "bv",   "srl"};
  while (words.size() > 1 &&
         std::find(kSuffixes.begin(), kSuffixes.end(), words.back()) != kSuffixes.end()) {
    words.pop_back();
  }
  std::string out;
  for (const std::string& w : words) {
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

// "<account>|YYYY-MM", or "" when the record lacks a part of it.
std::string MatchKey(const Opportunity& o) {
  std::string account = NormaliseAccount(o.account);
  if (account.empty() || !o.close_date) {
    return "";
  }
  return account + "|" + FormatDate(*o.close_date).substr(0, 7);
}

struct Candidates {
  std::string kind;
  std::string value;
  std::vector<std::string> ids;  // native ids in the other source
};

}  // namespace

Status SyncEngine::Impl::IndexRecord(Txn& txn, const StoredRecord* before,
                                     const StoredRecord& after) {
  const Opportunity& o = after.opp;
  if (before != nullptr) {
    const Opportunity& b = before->opp;
    if (!b.registration_id.empty()) {
      txn.Delete(Column::kIndex, keys::RegistrationKey(b.registration_id, b.source, b.native_id));
    }
    if (!b.counterpart_id.empty()) {
      txn.Delete(Column::kIndex, keys::CounterpartKey(b.counterpart_id, b.source, b.native_id));
    }
    if (std::string mk = MatchKey(b); !mk.empty()) {
      txn.Delete(Column::kIndex, keys::MatchKeyIndexKey(mk, b.source, b.native_id));
    }
  }
  if (o.deleted) {
    txn.Delete(Column::kIndex, keys::UnlinkedKey(o.source, o.native_id));
    txn.Delete(Column::kIndex, keys::AmbiguityKey(o.source, o.native_id));
    return Status::Ok();
  }
  if (!o.registration_id.empty()) {
    txn.Put(Column::kIndex, keys::RegistrationKey(o.registration_id, o.source, o.native_id), "");
  }
  if (!o.counterpart_id.empty()) {
    txn.Put(Column::kIndex, keys::CounterpartKey(o.counterpart_id, o.source, o.native_id), "");
  }
  if (std::string mk = MatchKey(o); !mk.empty()) {
    std::optional<int64_t> amount = ReportingMinor(FieldValueText(o, Field::kAmount), Rates());
    txn.Put(Column::kIndex, keys::MatchKeyIndexKey(mk, o.source, o.native_id),
            amount ? std::to_string(*amount) : "");
  }
  return Status::Ok();
}

Status SyncEngine::Impl::RefreshUnlinked(Txn& txn, std::string_view source,
                                         std::string_view native_id) {
  Result<std::vector<std::string>> links = LinksOfRecord(txn, source, native_id);
  if (!links.ok()) {
    return links.status();
  }
  Result<std::optional<StoredRecord>> r = LoadRecord(txn, source, native_id);
  if (!r.ok()) {
    return r.status();
  }
  const std::string key = keys::UnlinkedKey(source, native_id);
  if (links->empty() && *r && !(*r)->opp.deleted) {
    txn.Put(Column::kIndex, key, "");
  } else {
    txn.Delete(Column::kIndex, key);
  }
  return Status::Ok();
}

Status SyncEngine::Impl::CreateLink(Txn& txn, const Link& link) {
  txn.Put(Column::kLinks, link.id, EncodeLink(link));
  txn.Put(Column::kIndex, keys::LinkIndexKey(config.vendor.id, link.vendor_id, link.partner),
          link.id);
  txn.Put(Column::kIndex, keys::LinkIndexKey(link.partner, link.partner_id, link.partner), link.id);
  txn.Delete(Column::kIndex, keys::AmbiguityKey(config.vendor.id, link.vendor_id));
  txn.Delete(Column::kIndex, keys::AmbiguityKey(link.partner, link.partner_id));
  DEALSYNC_RETURN_IF_ERROR(RefreshUnlinked(txn, config.vendor.id, link.vendor_id));
  return RefreshUnlinked(txn, link.partner, link.partner_id);
}

Status SyncEngine::Impl::RemoveLink(Txn& txn, const Link& link, std::string_view broken_by) {
  txn.Delete(Column::kLinks, link.id);
  txn.Delete(Column::kIndex, keys::LinkIndexKey(config.vendor.id, link.vendor_id, link.partner));
  txn.Delete(Column::kIndex, keys::LinkIndexKey(link.partner, link.partner_id, link.partner));
  for (Field f : kAllFields) {
    txn.Delete(Column::kBase, keys::BaseKey(link.id, f));
  }
  // Pending pushes that came from this link no longer have a reason.
  for (const auto& [target, id] :
       {std::pair{config.vendor.id, link.vendor_id}, std::pair{link.partner, link.partner_id}}) {
    Result<std::optional<std::string>> raw = txn.Get(Column::kOutbox, keys::OutboxKey(target, id));
    if (!raw.ok()) {
      return raw.status();
    }
    if (*raw) {
      Result<StoredOutbox> o = DecodeOutbox(**raw);
      if (!o.ok() || o->entry.link_id == link.id) {
        txn.Delete(Column::kOutbox, keys::OutboxKey(target, id));
      }
    }
  }
  if (!broken_by.empty()) {
    txn.Put(Column::kIndex, keys::BrokenKey(link.partner, link.vendor_id, link.partner_id),
            broken_by);
  }
  DEALSYNC_RETURN_IF_ERROR(RefreshUnlinked(txn, config.vendor.id, link.vendor_id));
  return RefreshUnlinked(txn, link.partner, link.partner_id);
}

Result<std::vector<Link>> SyncEngine::Impl::LinkRecord(Txn& txn, const StoredRecord& r) {
  const Opportunity& o = r.opp;
  const bool vendor = IsVendor(o.source);
  std::vector<std::string> partners;
  if (vendor) {
    for (const SourceConfig& p : config.partners) {
      partners.push_back(p.id);
    }
  } else {
    partners.push_back(o.source);
  }
  std::vector<Link> out;
  for (const std::string& partner : partners) {
    const SourceConfig* pc = Source(partner);
    const std::string other = vendor ? partner : config.vendor.id;
    Result<std::optional<std::string>> existing =
        txn.Get(Column::kIndex, keys::LinkIndexKey(o.source, o.native_id, partner));
    if (!existing.ok()) {
      return existing.status();
    }
    if (*existing) {
      Result<std::optional<Link>> l = LoadLink(txn, **existing);
      if (!l.ok()) {
        return l.status();
      }
      if (*l) {
        out.push_back(**l);
        continue;
      }
    }
    // Collect candidates, strongest key first.
    auto usable = [&](std::string_view other_id) -> Result<bool> {
      const std::string vid = vendor ? o.native_id : std::string(other_id);
      const std::string pid = vendor ? std::string(other_id) : o.native_id;
      Result<std::optional<std::string>> broken =
          txn.Get(Column::kIndex, keys::BrokenKey(partner, vid, pid));
      if (!broken.ok()) {
        return broken.status();
      }
      Result<std::optional<std::string>> linked =
          txn.Get(Column::kIndex, keys::LinkIndexKey(other, other_id, partner));
      if (!linked.ok()) {
        return linked.status();
      }
      Result<std::optional<StoredRecord>> rec = LoadRecord(txn, other, other_id);
      if (!rec.ok()) {
        return rec.status();
      }
      return !*broken && !*linked && *rec && !(*rec)->opp.deleted;
    };
    Candidates found;
    auto scan_index = [&](std::string_view kind, std::string_view value,
                          std::string prefix) -> Status {
      std::vector<std::string> ids;
      DEALSYNC_RETURN_IF_ERROR(
          txn.Scan(Column::kIndex, prefix, [&](std::string_view k, std::string_view v) {
            std::vector<std::string> parts = keys::Split(k);
            if (kind == "match_key" && o.amount) {
              std::optional<int64_t> mine =
                  ReportingMinor(FieldValueText(o, Field::kAmount), Rates());
              if (!mine || v.empty()) {
                return true;
              }
              int64_t theirs_minor = 0;
              if (std::from_chars(v.data(), v.data() + v.size(), theirs_minor).ec != std::errc()) {
                return true;
              }
              const __int128 theirs = theirs_minor;
              const __int128 diff = theirs > *mine ? theirs - *mine : *mine - theirs;
              const __int128 larger = std::max<__int128>(std::max<__int128>(theirs, *mine), 1);
              if (diff * 1'000'000 > larger * pc->link.amount_band_ppm) {
                return true;
              }
            }
            ids.push_back(parts.back());
            return true;
          }));
      for (const std::string& id : ids) {
        Result<bool> ok = usable(id);
        if (!ok.ok()) {
          return ok.status();
        }
        if (*ok) {
          found.ids.push_back(id);
        }
      }
      if (!found.ids.empty() && found.kind.empty()) {
        found.kind = std::string(kind);
        found.value = std::string(value);
      }
      return Status::Ok();
    };
    if (pc->link.by_registration_id && !o.registration_id.empty()) {
      DEALSYNC_RETURN_IF_ERROR(scan_index("registration_id", o.registration_id,
                                          keys::Prefix({"reg", o.registration_id, other})));
    }
    if (found.ids.empty() && pc->link.by_counterpart_id) {
      if (!o.counterpart_id.empty()) {
        Result<bool> ok = usable(o.counterpart_id);
        if (!ok.ok()) {
          return ok.status();
        }
        if (*ok) {
          found = {"counterpart_id", o.counterpart_id, {o.counterpart_id}};
        }
      }
      if (found.ids.empty()) {
        DEALSYNC_RETURN_IF_ERROR(
            scan_index("counterpart_id", o.native_id, keys::Prefix({"cpt", o.native_id, other})));
      }
    }
    if (found.ids.empty() && pc->link.by_match_key) {
      if (std::string mk = MatchKey(o); !mk.empty()) {
        DEALSYNC_RETURN_IF_ERROR(scan_index("match_key", mk, keys::Prefix({"mky", mk, other})));
      }
    }
    std::sort(found.ids.begin(), found.ids.end());
    found.ids.erase(std::unique(found.ids.begin(), found.ids.end()), found.ids.end());
    if (found.ids.size() == 1) {
      Link link;
      link.partner = partner;
      link.vendor_id = vendor ? o.native_id : found.ids[0];
      link.partner_id = vendor ? found.ids[0] : o.native_id;
      link.id = keys::LinkId(partner, link.vendor_id, link.partner_id);
      link.key_kind = found.kind;
      link.key_value = found.value;
      link.created_at = clock.Now();
      DEALSYNC_RETURN_IF_ERROR(CreateLink(txn, link));
      out.push_back(link);
    } else if (found.ids.size() > 1) {
      Ambiguity a{o.source, o.native_id, found.kind, found.value, {}};
      for (const std::string& id : found.ids) {
        a.candidates.push_back(other + "/" + id);
      }
      txn.Put(Column::kIndex, keys::AmbiguityKey(o.source, o.native_id), EncodeAmbiguity(a));
    } else if (!vendor) {
      txn.Delete(Column::kIndex, keys::AmbiguityKey(o.source, o.native_id));
    }
  }
  if (out.empty()) {
    DEALSYNC_RETURN_IF_ERROR(RefreshUnlinked(txn, o.source, o.native_id));
  }
  return out;
}

}  // namespace dealsync
