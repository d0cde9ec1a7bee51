// apps/flags/flags_common.hpp - what corio-flags-server, corio-flags and their tests
// share: the country code lists, the generated flag images and their digest, and
// the server URL the downloader is pointed at. No networking here (and no Beast),
// so this compiles fast and both apps agree on every byte.
//
// Content scheme: flag_gif(cc) is a small valid GIF89a (three stripes in four
// colours picked from the code's FNV-1a hash; 300 to ~1600 bytes), the same bytes for
// the same code on every run. The server sends its digest in the header
//   X-Flag-Digest: <16 lower-case hex digits of FNV-1a-64 of the body>
// and the downloader recomputes it over the body it received.
#ifndef CORIO_APPS_FLAGS_FLAGS_COMMON_HPP
#define CORIO_APPS_FLAGS_FLAGS_COMMON_HPP

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace flags {

inline constexpr std::string_view digest_header = "X-Flag-Digest";

/// The 20 most populous countries, upper case (the classic flags programs' list).
std::span<const std::string_view> populous_codes();
/// Every ISO 3166-1 alpha-2 code (249), upper case, sorted.
std::span<const std::string_view> iso_codes();
/// Every pair AA..ZZ (676), upper case, sorted: most are not ISO codes.
std::vector<std::string> every_pair();
/// True for an ISO 3166-1 alpha-2 code, in either case.
bool is_iso_code(std::string_view code);

/// The file name of `code`'s flag: "cn.gif" for CN.
std::string file_name(std::string_view code);

/// The generated image of `code` (either case; the same bytes for both).
std::string flag_gif(std::string_view code);
/// FNV-1a, 64 bits.
std::uint64_t fnv1a64(std::string_view data);
/// fnv1a64 as 16 lower-case hex digits: the X-Flag-Digest value.
std::string digest_hex(std::string_view data);

/// Where the flags live: http://HOST[:PORT][/PREFIX]; the flag of CN is at
/// PREFIX/cn/cn.gif (the classic flags layout, so any static file server works).
/// parse_server_url (server_url.hpp) makes one from the text of a URL.
struct server_url {
  std::string host;
  std::string port = "80";
  std::string prefix; // "" or "/flags" (never a trailing slash)

  std::string target_of(std::string_view code) const; // "/flags/cn/cn.gif"
  std::string text() const;                           // "http://host:port/flags"
};

/// Raises the soft limit on open files to the hard limit (a server or a client with
/// thousands of sockets needs it) and says so on stderr as `program: ...` if it changed.
void raise_open_file_limit(std::string_view program);

} // namespace flags

#endif // CORIO_APPS_FLAGS_FLAGS_COMMON_HPP
