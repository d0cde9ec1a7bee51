// apps/flags/server_url.hpp - the --server URL of corio-flags, corio-flags-soak and
// corio-bench's fan-out, parsed by Boost.URL (RFC 3986). On top of it only the checks
// that are the flags apps' own: the scheme is http (no TLS here), there is a host,
// a port, if given, is 1 to 65535, and there is no user, query or fragment (the URL
// names a directory of flags, PREFIX/cn/cn.gif). Compiled into corio_flags_common
// but not into the fuzzer, which needs no URL, so Boost.URL stays out of it.
//
//   std::string error;
//   auto url = flags::parse_server_url("http://127.0.0.1:8001/flags", error);
//   url->host == "127.0.0.1", url->port == "8001", url->prefix == "/flags"
#ifndef CORIO_APPS_FLAGS_SERVER_URL_HPP
#define CORIO_APPS_FLAGS_SERVER_URL_HPP

#include "flags_common.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace flags {

/// Parses an http:// URL; on failure returns nullopt and says why in `error`, in the
/// user's terms ("only http:// URLs are supported", "bad port '70000'").
std::optional<server_url> parse_server_url(std::string_view url, std::string& error);

} // namespace flags

#endif // CORIO_APPS_FLAGS_SERVER_URL_HPP
