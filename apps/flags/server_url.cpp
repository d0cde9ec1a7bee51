#include "server_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <fmt/format.h>

#include <charconv>

namespace flags {

std::optional<server_url> parse_server_url(std::string_view text, std::string& error) {
  namespace urls = boost::urls;
  const auto parsed = urls::parse_uri(text);
  // Boost.URL 1.81 reads "http://h:8x/" as port 8 and a path "x/" that does not start
  // with '/' (RFC 3986 allows none after an authority): not a URL either.
  if (!parsed || (!parsed->encoded_path().empty() && !parsed->encoded_path().starts_with('/'))) {
    error = "not a URL; expected one such as http://127.0.0.1:8001/flags";
    return std::nullopt;
  }
  const urls::url_view url = *parsed;
  if (url.scheme_id() != urls::scheme::http) {
    error = "only http:// URLs are supported";
    return std::nullopt;
  }
  if (url.has_query() || url.has_fragment() || url.has_userinfo()) {
    error = "the URL must not contain a query, a fragment or a user name";
    return std::nullopt;
  }
  server_url result;
  result.host = url.host_address(); // without the brackets of an IPv6 address
  if (!url.has_authority() || result.host.empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  if (!url.port().empty()) {
    const std::string_view port = url.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      error = fmt::format("bad port '{}': expected 1 to 65535", port);
      return std::nullopt;
    }
    result.port = std::string(port);
  }
  std::string_view path = url.encoded_path(); // sent as it is, percent-encoding included
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  result.prefix = std::string(path);
  return result;
}

} // namespace flags
