// The linker: finds the other copy of a deal by registration id, by the other
// side's id stored in a custom field, or by a match key (normalised account +
// close month + amount band). Only a unique candidate is linked; several are
// recorded as an ambiguity for an operator. Operator-broken pairs stay broken.
//
// Cost: registration and counterpart ids are point reads of list-valued index
// keys (keys.h), one read per key whatever the number of partners or records;
// only the match key (off by default) scans, within one key and one partner.
//
// Counterpart ids are scoped to the source that owns them. A partner record's
// counterpart id names a vendor record. A vendor record's counterpart id names
// a deal of one partner: the vendor says which (counterpart_source), or only
// one partner links by counterpart id at all; otherwise the match is refused
// and, when partners hold deals with that id, recorded as an ambiguity for an
// operator (unless the vendor record is linked to one of them by a stronger key).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

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

bool Contains(const std::vector<std::string>& items, std::string_view v) {
  return std::find(items.begin(), items.end(), v) != items.end();
}

}  // namespace

Status SyncEngine::Impl::IndexRecord(Txn& txn, const StoredRecord* before,
                                     const StoredRecord& after) {
  const Opportunity& o = after.opp;
  struct Entry {
    std::string reg;  // registration key ("" = none)
    std::string cpt;  // counterpart key
    std::string mky;  // match key index key
  };
  auto entries = [&](const Opportunity& r) {
    Entry e;
    if (r.deleted) {
      return e;
    }
    if (!r.registration_id.empty()) {
      e.reg = keys::RegistrationKey(r.registration_id);
    }
    if (!r.counterpart_id.empty()) {
      e.cpt = keys::CounterpartKey(CounterpartOwner(r), r.counterpart_id);
    }
    if (std::string mk = MatchKey(r); !mk.empty()) {
      e.mky = keys::MatchKeyIndexKey(mk, r.source, r.native_id);
    }
    return e;
  };
  const Entry old_e = before != nullptr ? entries(before->opp) : Entry{};
  const Entry new_e = entries(o);
  for (const auto& [old_key, new_key] :
       {std::pair{old_e.reg, new_e.reg}, std::pair{old_e.cpt, new_e.cpt}}) {
    if (old_key == new_key) {
      continue;
    }
    if (!old_key.empty()) {
      Result<std::vector<std::string>> items = LoadList(txn, old_key);
      if (!items.ok()) {
        return items.status();
      }
      if (keys::RemovePair(*items, o.source, o.native_id)) {
        SaveList(txn, old_key, *items);
      }
    }
    if (!new_key.empty()) {
      Result<std::vector<std::string>> items = LoadList(txn, new_key);
      if (!items.ok()) {
        return items.status();
      }
      if (keys::AddPair(*items, o.source, o.native_id)) {
        SaveList(txn, new_key, *items);
      }
    }
  }
  if (!new_e.mky.empty()) {
    std::optional<int64_t> amount = ReportingMinor(FieldValueText(o, Field::kAmount), Rates());
    DEALSYNC_RETURN_IF_ERROR(
        PutIfChanged(txn, Column::kIndex, new_e.mky, amount ? std::to_string(*amount) : ""));
  }
  if (!old_e.mky.empty() && old_e.mky != new_e.mky) {
    DEALSYNC_RETURN_IF_ERROR(DeleteIfPresent(txn, Column::kIndex, old_e.mky));
  }
  if (before == nullptr && !IsVendor(o.source)) {
    const std::string key = keys::OwnerKey(o.native_id);
    Result<std::vector<std::string>> holders = LoadList(txn, key);
    if (!holders.ok()) {
      return holders.status();
    }
    if (!Contains(*holders, o.source)) {
      holders->push_back(o.source);
      SaveList(txn, key, *holders);
    }
  }
  if (o.deleted) {
    DEALSYNC_RETURN_IF_ERROR(
        DeleteIfPresent(txn, Column::kIndex, keys::UnlinkedKey(o.source, o.native_id)));
    DEALSYNC_RETURN_IF_ERROR(
        DeleteIfPresent(txn, Column::kIndex, keys::AmbiguityKey(o.source, o.native_id)));
  }
  return Status::Ok();
}

std::string SyncEngine::Impl::CounterpartOwner(const Opportunity& o) const {
  return IsVendor(o.source) ? o.counterpart_source : config.vendor.id;
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
    return PutIfChanged(txn, Column::kIndex, key, "");
  }
  return DeleteIfPresent(txn, Column::kIndex, key);
}

Status SyncEngine::Impl::SetRecordLink(Txn& txn, std::string_view source,
                                       std::string_view native_id, std::string_view partner,
                                       std::string_view link_id) {
  const std::string key = keys::LinkIndexKey(source, native_id);
  Result<std::vector<std::string>> pairs = LoadList(txn, key);
  if (!pairs.ok()) {
    return pairs.status();
  }
  bool changed = false;
  for (size_t i = 0; i + 1 < pairs->size(); i += 2) {
    if ((*pairs)[i] == partner) {
      if (link_id.empty() || (*pairs)[i + 1] != link_id) {
        changed = keys::RemovePair(*pairs, (*pairs)[i], std::string((*pairs)[i + 1]));
      }
      break;
    }
  }
  if (!link_id.empty()) {
    changed = keys::AddPair(*pairs, partner, link_id) || changed;
  }
  if (changed) {
    SaveList(txn, key, *pairs);
  }
  return Status::Ok();
}

Status SyncEngine::Impl::CreateLink(Txn& txn, const Link& link) {
  txn.Put(Column::kLinks, link.id, EncodeLink(link));
  DEALSYNC_RETURN_IF_ERROR(
      SetRecordLink(txn, config.vendor.id, link.vendor_id, link.partner, link.id));
  DEALSYNC_RETURN_IF_ERROR(
      SetRecordLink(txn, link.partner, link.partner_id, link.partner, link.id));
  DEALSYNC_RETURN_IF_ERROR(
      DeleteIfPresent(txn, Column::kIndex, keys::AmbiguityKey(config.vendor.id, link.vendor_id)));
  DEALSYNC_RETURN_IF_ERROR(
      DeleteIfPresent(txn, Column::kIndex, keys::AmbiguityKey(link.partner, link.partner_id)));
  DEALSYNC_RETURN_IF_ERROR(RefreshUnlinked(txn, config.vendor.id, link.vendor_id));
  return RefreshUnlinked(txn, link.partner, link.partner_id);
}

Status SyncEngine::Impl::RemoveLink(Txn& txn, const Link& link, std::string_view broken_by) {
  txn.Delete(Column::kLinks, link.id);
  DEALSYNC_RETURN_IF_ERROR(SetRecordLink(txn, config.vendor.id, link.vendor_id, link.partner, ""));
  DEALSYNC_RETURN_IF_ERROR(SetRecordLink(txn, link.partner, link.partner_id, link.partner, ""));
  for (Field f : kAllFields) {
    DEALSYNC_RETURN_IF_ERROR(DeleteIfPresent(txn, Column::kBase, keys::BaseKey(link.id, f)));
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
  const std::string& vendor_id = config.vendor.id;

  // The record's links so far, by partner.
  Result<std::vector<std::string>> linked_pairs =
      LoadList(txn, keys::LinkIndexKey(o.source, o.native_id));
  if (!linked_pairs.ok()) {
    return linked_pairs.status();
  }
  std::vector<Link> out;
  std::vector<std::string> linked_partners;
  for (size_t i = 0; i + 1 < linked_pairs->size(); i += 2) {
    Result<std::optional<Link>> l = LoadLink(txn, (*linked_pairs)[i + 1]);
    if (!l.ok()) {
      return l.status();
    }
    if (*l) {
      out.push_back(**l);
      linked_partners.push_back((*linked_pairs)[i]);
    }
  }
  if (!vendor && !linked_partners.empty()) {
    return out;
  }

  // A candidate `other_id` in the other source, for `partner`.
  auto usable = [&](std::string_view partner, std::string_view other_id) -> Result<bool> {
    const std::string other = vendor ? std::string(partner) : vendor_id;
    const std::string vid = vendor ? o.native_id : std::string(other_id);
    const std::string pid = vendor ? std::string(other_id) : o.native_id;
    Result<std::optional<std::string>> broken =
        txn.Get(Column::kIndex, keys::BrokenKey(partner, vid, pid));
    if (!broken.ok()) {
      return broken.status();
    }
    if (*broken) {
      return false;
    }
    Result<std::optional<std::string>> linked = LinkOfRecord(txn, other, other_id, partner);
    if (!linked.ok()) {
      return linked.status();
    }
    if (*linked) {
      return false;
    }
    Result<std::optional<StoredRecord>> rec = LoadRecord(txn, other, other_id);
    if (!rec.ok()) {
      return rec.status();
    }
    return *rec && !(*rec)->opp.deleted;
  };
  // Per partner: the candidates of the strongest key kind that found any.
  std::map<std::string, Candidates> found;
  auto wants = [&](const std::string& partner) -> const SourceConfig* {
    if (Contains(linked_partners, partner)) {
      return nullptr;
    }
    const SourceConfig* pc = Source(partner);
    if (pc == nullptr || IsVendor(partner)) {
      return nullptr;
    }
    auto it = found.find(partner);
    return it == found.end() ? pc : nullptr;
  };
  // Adds the usable ids of `kind` to `partner`'s candidates.
  auto offer = [&](std::map<std::string, Candidates>& round, const std::string& partner,
                   std::string_view kind, std::string_view value,
                   std::string_view other_id) -> Status {
    Result<bool> ok = usable(partner, other_id);
    if (!ok.ok()) {
      return ok.status();
    }
    if (*ok) {
      Candidates& c = round[partner];
      c.kind = std::string(kind);
      c.value = std::string(value);
      c.ids.emplace_back(other_id);
    }
    return Status::Ok();
  };
  auto merge = [&](std::map<std::string, Candidates>& round) {
    for (auto& [partner, c] : round) {
      found.emplace(partner, std::move(c));
    }
    round.clear();
  };
  std::map<std::string, Candidates> round;
  std::optional<Ambiguity> ambiguity;

  // 1. Registration id: every record carrying it, in one read.
  if (!o.registration_id.empty()) {
    Result<std::vector<std::string>> pairs =
        LoadList(txn, keys::RegistrationKey(o.registration_id));
    if (!pairs.ok()) {
      return pairs.status();
    }
    for (size_t i = 0; i + 1 < pairs->size(); i += 2) {
      const std::string& source = (*pairs)[i];
      const std::string& id = (*pairs)[i + 1];
      const std::string partner = vendor ? source : o.source;
      if ((vendor ? IsVendor(source) : source != vendor_id)) {
        continue;
      }
      const SourceConfig* pc = wants(partner);
      if (pc == nullptr || !pc->link.by_registration_id) {
        continue;
      }
      DEALSYNC_RETURN_IF_ERROR(offer(round, partner, "registration_id", o.registration_id, id));
    }
    merge(round);
  }

  // 2. Counterpart ids, scoped to their owner.
  auto counterpart_enabled = [&](const std::string& partner) {
    const SourceConfig* pc = wants(partner);
    return pc != nullptr && pc->link.by_counterpart_id;
  };
  if (!vendor) {
    const std::string& partner = o.source;
    if (counterpart_enabled(partner)) {
      if (!o.counterpart_id.empty()) {  // this record names the vendor's record
        DEALSYNC_RETURN_IF_ERROR(
            offer(round, partner, "counterpart_id", o.counterpart_id, o.counterpart_id));
      }
      if (round.empty()) {  // vendor records naming this one
        Result<std::vector<std::string>> named =
            LoadList(txn, keys::CounterpartKey(partner, o.native_id));
        if (!named.ok()) {
          return named.status();
        }
        for (size_t i = 0; i + 1 < named->size(); i += 2) {
          if (IsVendor((*named)[i])) {
            DEALSYNC_RETURN_IF_ERROR(
                offer(round, partner, "counterpart_id", o.native_id, (*named)[i + 1]));
          }
        }
      }
      if (round.empty()) {  // vendor records naming an id without saying whose
        Result<std::vector<std::string>> unnamed =
            LoadList(txn, keys::CounterpartKey("", o.native_id));
        if (!unnamed.ok()) {
          return unnamed.status();
        }
        if (!unnamed->empty()) {
          Result<std::vector<std::string>> holders = CounterpartHolders(txn, o.native_id);
          if (!holders.ok()) {
            return holders.status();
          }
          for (size_t i = 0; i + 1 < unnamed->size(); i += 2) {
            if (!IsVendor((*unnamed)[i])) {
              continue;
            }
            if (CounterpartPartners() == 1) {
              DEALSYNC_RETURN_IF_ERROR(
                  offer(round, partner, "counterpart_id", o.native_id, (*unnamed)[i + 1]));
            } else {
              // Whose deal the vendor record means is unknown: it decides
              // when it is ingested (a stronger key may settle it there).
              ambiguity =
                  Ambiguity{vendor_id, (*unnamed)[i + 1], "counterpart_id", o.native_id, {}};
              for (const std::string& h : *holders) {
                ambiguity->candidates.push_back(h + "/" + o.native_id);
              }
            }
          }
        }
      }
      merge(round);
    }
  } else {
    if (!o.counterpart_id.empty()) {  // this vendor record names a partner's deal
      std::vector<std::string> owners;
      if (!o.counterpart_source.empty()) {
        owners.push_back(o.counterpart_source);
      } else if (CounterpartPartners() == 1) {
        for (const SourceConfig& p : config.partners) {
          if (p.link.by_counterpart_id) {
            owners.push_back(p.id);
          }
        }
      } else {
        Result<std::vector<std::string>> holders = CounterpartHolders(txn, o.counterpart_id);
        if (!holders.ok()) {
          return holders.status();
        }
        owners = *holders;
      }
      if (owners.size() == 1 && (!o.counterpart_source.empty() || CounterpartPartners() == 1)) {
        if (counterpart_enabled(owners[0])) {
          DEALSYNC_RETURN_IF_ERROR(
              offer(round, owners[0], "counterpart_id", o.counterpart_id, o.counterpart_id));
        }
      } else if (!owners.empty()) {
        bool settled = false;  // already linked (or about to be) to one of the holders
        for (const std::string& h : owners) {
          settled = settled || Contains(linked_partners, h) || found.count(h) != 0;
        }
        if (!settled) {
          ambiguity = Ambiguity{o.source, o.native_id, "counterpart_id", o.counterpart_id, {}};
          for (const std::string& h : owners) {
            ambiguity->candidates.push_back(h + "/" + o.counterpart_id);
          }
        }
      }
      merge(round);
    }
    // Partner records naming this vendor record.
    Result<std::vector<std::string>> naming =
        LoadList(txn, keys::CounterpartKey(vendor_id, o.native_id));
    if (!naming.ok()) {
      return naming.status();
    }
    for (size_t i = 0; i + 1 < naming->size(); i += 2) {
      const std::string& partner = (*naming)[i];
      if (counterpart_enabled(partner)) {
        DEALSYNC_RETURN_IF_ERROR(
            offer(round, partner, "counterpart_id", o.native_id, (*naming)[i + 1]));
      }
    }
    merge(round);
  }

  // 3. Match key (a scan within one key and one partner; off by default).
  if (std::string mk = MatchKey(o); !mk.empty()) {
    std::vector<std::string> partners;
    if (vendor) {
      for (const SourceConfig& p : config.partners) {
        partners.push_back(p.id);
      }
    } else {
      partners.push_back(o.source);
    }
    std::optional<int64_t> mine = ReportingMinor(FieldValueText(o, Field::kAmount), Rates());
    for (const std::string& partner : partners) {
      const SourceConfig* pc = wants(partner);
      if (pc == nullptr || !pc->link.by_match_key) {
        continue;
      }
      const std::string other = vendor ? partner : vendor_id;
      std::vector<std::string> ids;
      DEALSYNC_RETURN_IF_ERROR(txn.Scan(
          Column::kIndex, keys::Prefix({"mky", mk, other}),
          [&](std::string_view k, std::string_view v) {
            if (o.amount) {
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
            ids.push_back(keys::Split(k).back());
            return true;
          }));
      for (const std::string& id : ids) {
        DEALSYNC_RETURN_IF_ERROR(offer(round, partner, "match_key", mk, id));
      }
      merge(round);
    }
  }

  for (auto& [partner, c] : found) {
    std::sort(c.ids.begin(), c.ids.end());
    c.ids.erase(std::unique(c.ids.begin(), c.ids.end()), c.ids.end());
    const std::string other = vendor ? partner : vendor_id;
    if (c.ids.size() == 1) {
      Link link;
      link.partner = partner;
      link.vendor_id = vendor ? o.native_id : c.ids[0];
      link.partner_id = vendor ? c.ids[0] : o.native_id;
      link.id = keys::LinkId(partner, link.vendor_id, link.partner_id);
      link.key_kind = c.kind;
      link.key_value = c.value;
      link.created_at = clock.Now();
      DEALSYNC_RETURN_IF_ERROR(CreateLink(txn, link));
      out.push_back(link);
      if (ambiguity && ambiguity->source == o.source && ambiguity->native_id == o.native_id) {
        ambiguity.reset();  // a stronger key decided
      }
    } else if (c.ids.size() > 1) {
      ambiguity = Ambiguity{o.source, o.native_id, c.kind, c.value, {}};
      for (const std::string& id : c.ids) {
        ambiguity->candidates.push_back(other + "/" + id);
      }
    }
  }
  if (ambiguity) {
    const std::string key = keys::AmbiguityKey(ambiguity->source, ambiguity->native_id);
    Result<std::vector<std::string>> links_of =
        LinksOfRecord(txn, ambiguity->source, ambiguity->native_id);
    if (!links_of.ok()) {
      return links_of.status();
    }
    if (links_of->empty()) {
      DEALSYNC_RETURN_IF_ERROR(PutIfChanged(txn, Column::kIndex, key, EncodeAmbiguity(*ambiguity)));
    }
  } else if (!vendor && out.empty()) {
    DEALSYNC_RETURN_IF_ERROR(
        DeleteIfPresent(txn, Column::kIndex, keys::AmbiguityKey(o.source, o.native_id)));
  }
  if (out.empty()) {
    DEALSYNC_RETURN_IF_ERROR(RefreshUnlinked(txn, o.source, o.native_id));
  }
  return out;
}

size_t SyncEngine::Impl::CounterpartPartners() const {
  return static_cast<size_t>(
      std::count_if(config.partners.begin(), config.partners.end(),
                    [](const SourceConfig& p) { return p.link.by_counterpart_id; }));
}

Result<std::vector<std::string>> SyncEngine::Impl::CounterpartHolders(Txn& txn,
                                                                      std::string_view native_id) {
  Result<std::vector<std::string>> holders = LoadList(txn, keys::OwnerKey(native_id));
  if (!holders.ok()) {
    return holders.status();
  }
  std::vector<std::string> out;
  for (const std::string& h : *holders) {
    const SourceConfig* pc = Source(h);
    if (pc != nullptr && !IsVendor(h) && pc->link.by_counterpart_id) {
      out.push_back(h);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dealsync
