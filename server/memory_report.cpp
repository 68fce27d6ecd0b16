// MEMORY STATS / DOCTOR and INFO memory figures; see memory_report.h.
#include "server/memory_report.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "server/maxmemory.h"
#include "server/server.h"

namespace respite::server {

uint64_t process_rss_bytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

namespace {
double ratio(int64_t a, int64_t b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}
}  // namespace

MemoryReport memory_report(Server& s) {
  MemoryReport r;
  MemoryParts m = memory_parts(s);
  r.total = m.total();
  used_memory(s);  // raises the peak to at least what was just read
  r.peak = std::max(r.total, s.used_memory_peak.load(std::memory_order_relaxed));
  r.startup = m.startup;
  r.clients_normal = m.clients;
  r.reclaim = m.reclaim;
  for (int i = 0; i < s.store.databases(); i++) {
    storage::Keyspace& ks = s.store.db(i);
    uint64_t keys = ks.size();
    r.dataset += ks.bytes();
    if (keys == 0) continue;
    MemoryReport::Db d;
    d.id = i;
    for (size_t j = 0; j < ks.shard_count(); j++) d.overhead_main += ks.shard(j).tables_bytes();
    r.keys += static_cast<int64_t>(keys);
    r.dbs.push_back(d);
  }
  r.overhead_total = r.total - r.dataset;
  // Redis's formulas (object.c, getMemoryOverheadData).
  r.peak_perc = r.peak > 0 ? static_cast<double>(r.total) * 100 / static_cast<double>(r.peak) : 0;
  int64_t net = r.total > r.startup ? r.total - r.startup : 1;
  r.dataset_perc = static_cast<double>(r.dataset) * 100 / static_cast<double>(net);
  r.bytes_per_key = r.keys ? net / r.keys : 0;

  r.rss = static_cast<int64_t>(process_rss_bytes());
  r.allocator_allocated = r.total;
  r.allocator_active = r.rss;
  r.allocator_resident = r.rss;
  r.allocator_frag = ratio(r.allocator_active, r.allocator_allocated);
  r.allocator_frag_bytes = r.allocator_active - r.allocator_allocated;
  r.allocator_rss = ratio(r.allocator_resident, r.allocator_active);
  r.allocator_rss_bytes = r.allocator_resident - r.allocator_active;
  r.rss_extra = ratio(r.rss, r.allocator_resident);
  r.rss_extra_bytes = r.rss - r.allocator_resident;
  r.total_frag = ratio(r.rss, r.total);
  r.total_frag_bytes = r.rss - r.total;
  return r;
}

std::string memory_doctor(const MemoryReport& r, int64_t clients) {
  // Redis's thresholds: under 5 MB the instance is too empty to judge; a peak over 150% of now;
  // RSS over 1.4 times used_memory and 10 MB more; clients holding over 200 KB each on average.
  // Redis's allocator-level checks are left out: respite's allocator figures are not arenas'.
  if (r.total < 5 * 1024 * 1024) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string issues;
  if (static_cast<double>(r.peak) / static_cast<double>(r.total) > 1.5) {
    issues +=
        " * Peak memory: this instance once used more than 150% of the memory it uses now. "
        "Allocators seldom give memory back after a peak, so the RSS may stay high; it is "
        "reused as data grows again. MEMORY PURGE asks the allocator to return what it can.\n\n";
  }
  if (r.total_frag > 1.4 && r.total_frag_bytes > (10 << 20)) {
    issues +=
        " * High total RSS: the resident set is more than 1.4 times the memory in use. This "
        "usually follows a large peak (see above), or a workload that fragments the "
        "allocator's pages.\n\n";
  }
  if (clients > 0 && r.clients_normal / clients > 200 * 1024) {
    issues +=
        " * Big client buffers: clients hold more than 200K each on average, in replies not "
        "yet read or commands not yet complete: a client that pipelines without reading, or a "
        "very large request. CLIENT LIST (qbuf, omem) shows which.\n\n";
  }
  if (issues.empty()) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  return "Sam, I detected a few issues in this respite instance memory implants:\n\n" + issues +
         "I'm here to keep you safe, Sam. I want to help you.\n";
}

}  // namespace respite::server
