// The disk cache folder a `vyre cache` subcommand works on: --dir, else VYRE_CACHE_DIR, then
// $XDG_CACHE_HOME/vyre/pipelines, then ~/.cache/vyre/pipelines. Opened for inspection only: it
// is never created, and a folder that is not vyre's (no marker) or not safe is an error.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "vyre/diag/result.h"
#include "vyre/pipeline/cache_options.h"
#include "vyre/pipeline/disk_store.h"

namespace vyre::cli {

// The settings the cache would use, with `dir` (when not empty) overriding the root.
Result<pipeline::PipelineCacheOptions> cache_options_for(const std::string& dir);
Result<std::unique_ptr<pipeline::DiskStore>> open_cache_folder(const std::string& dir);

// Every entry of `disk` that a hit would accept (readable, decoding under the folder's secret,
// for its own key), with its bytes, in scan order: `use` returns false to stop. The others go to
// `skip` with their location and why. Shared by `cache push` and `cache pack`.
void for_each_valid_entry(
    pipeline::DiskStore& disk,
    const std::function<bool(const pipeline::StoredItem&, std::span<const std::uint8_t>)>& use,
    const std::function<void(const std::string& location, std::string why)>& skip);

// 1.5 KiB, 3.0 MiB, ...
std::string human_bytes(std::uint64_t bytes);

}  // namespace vyre::cli
