// apps/flags/session.hpp - corio-flags-server's request handling: everything one
// connection does, from the first byte read to the close. It is a template on the
// socket so that the same code runs on two kinds of connection: the server's TCP
// sockets (server.cpp) and, in fuzz/flags_request_fuzzer.cpp, one end of a local
// socket pair whose other end sends arbitrary bytes.
//
// A connection reads a request (at most idle_timeout), answers it, and repeats while
// the client keeps the connection alive:
//   GET of a known flag  200, the GIF, X-Flag-Digest (or 500 at --error-rate)
//   GET of anything else 404
//   any other method     405 with Allow: GET
//   a malformed request  400, then close (partial requests at EOF get no answer)
//   unusable framing     400, then close: a Transfer-Encoding whose last coding is not
//                        chunked, or any Transfer-Encoding in HTTP/1.0 (RFC 9112 6.1,
//                        6.3: the body's length is unknown, so is where the next
//                        request starts)
// A HEAD request gets the header of its answer and no body (RFC 9110 9.3.2), so the
// next response on a keep-alive connection starts where the client expects it.
//
// Not thread-safe: every connection of a server_state runs on one corio loop.
#ifndef CORIO_APPS_FLAGS_SESSION_HPP
#define CORIO_APPS_FLAGS_SESSION_HPP

#include "flags_common.hpp"

#include <corio/corio.hpp>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace flags {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8001;
  double delay = 0;
  double error_rate = 0;
  std::uint64_t seed = 0;
  std::size_t max_connections = 10000;
  double idle_timeout = 10;
  double grace = 5;
};

struct flag_file {
  std::string body;
  std::string digest;
};

/// Every ISO code's flag by target: "/flags/cn/cn.gif".
using flag_files = std::unordered_map<std::string, flag_file>;

inline flag_files make_flag_files() {
  flag_files files;
  server_url paths;
  paths.prefix = "/flags";
  for (const std::string_view code : iso_codes()) {
    std::string body = flag_gif(code);
    std::string digest = digest_hex(body);
    files.emplace(paths.target_of(code), flag_file{std::move(body), std::move(digest)});
  }
  return files;
}

// Everything the connection tasks share. The server keeps it in main(), outside run(),
// because run() cancels and drains the connection tasks after serve() has returned.
struct server_state {
  server_options opts;
  const flag_files& files;
  std::mt19937_64 random{opts.seed};
  bool stopping = false;
  std::size_t connections = 0; // open connection tasks
  std::size_t in_flight = 0;   // requests read and not yet fully answered
  std::uint64_t requests = 0;
  std::uint64_t malformed = 0;   // answered 400
  std::uint64_t idle_closed = 0; // closed after idle_timeout without a request
  std::uint64_t accepted = 0;
  std::uint64_t turned_away = 0;
};

namespace session_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using seconds = std::chrono::duration<double>;
using request = http::request<http::empty_body>;
using response = http::response<http::string_body>;

inline response make_response(http::status status, unsigned version, std::string body) {
  response res(status, version);
  res.set(http::field::server, "corio-flags-server");
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

//! [answer]
// Answers one request: the delay, the random failure, then the file or a 404.
inline corio::awaitable<response> answer(const request& req, server_state& state) {
  if (state.opts.delay > 0)
    co_await corio::sleep(seconds(state.opts.delay)); // other connections run meanwhile
  if (req.method() != http::verb::get) {
    response res = make_response(http::status::method_not_allowed, req.version(), "GET only\n");
    res.set(http::field::allow, "GET");
    co_return res;
  }
  if (std::uniform_real_distribution<double>(0, 1)(state.random) < state.opts.error_rate)
    co_return make_response(http::status::internal_server_error, req.version(),
                            "simulated failure (--error-rate)\n");
  const auto file = state.files.find(std::string(req.target()));
  if (file == state.files.end())
    co_return make_response(http::status::not_found, req.version(), "no such flag\n");
  response res = make_response(http::status::ok, req.version(), file->second.body);
  res.set(http::field::content_type, "image/gif");
  res.set(digest_header, file->second.digest);
  co_return res;
}
//! [answer]

template <typename Stream>
corio::awaitable<void> read_request(Stream& stream, beast::flat_buffer& buffer,
                                    http::request_parser<http::empty_body>& parser) {
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
}

// Writes `res` whole, or only its header when it answers a HEAD request.
template <typename Stream>
corio::awaitable<void> write_response(Stream& stream, response& res, bool header_only) {
  http::response_serializer<http::string_body> serializer(res);
  if (header_only)
    co_await http::async_write_header(stream, serializer, asio::use_awaitable);
  else
    co_await http::async_write(stream, serializer, asio::use_awaitable);
}

// Counts a request as in flight from the moment it is read until it is answered or
// its connection fails.
struct in_flight_guard {
  explicit in_flight_guard(std::size_t& count) : count_(count) { ++count_; }
  ~in_flight_guard() { --count_; }
  in_flight_guard(const in_flight_guard&) = delete;
  in_flight_guard& operator=(const in_flight_guard&) = delete;

private:
  std::size_t& count_;
};

inline bool is_malformed_request(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Beast reads a request with "Transfer-Encoding: xchunked" as one without a body, and
// whatever body follows as the next request; RFC 9112 6.3 asks for a 400 and a close.
// Why a parsed request cannot be answered, or "" when it can. (The fuzzer's oracle
// applies the same rule.)
inline std::string_view framing_error(const http::request_parser<http::empty_body>& parser) {
  const request& req = parser.get();
  if (req.find(http::field::transfer_encoding) == req.end())
    return {};
  if (req.version() < 11)
    return "Transfer-Encoding in an HTTP/1.0 request";
  if (!parser.chunked())
    return "Transfer-Encoding does not end in chunked";
  return {};
}

} // namespace session_detail

//! [connection]
// One task per connection: read a request (at most idle_timeout), answer it, repeat
// while the client keeps the connection alive.
template <typename Protocol, typename Executor>
corio::awaitable<void> serve_connection(boost::asio::basic_stream_socket<Protocol, Executor> socket,
                                        server_state& state) {
  using namespace session_detail;
  ++state.connections;
  beast::flat_buffer buffer;
  const seconds idle(state.opts.idle_timeout);
  try {
    for (bool keep_alive = true; keep_alive && !state.stopping;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(8 * 1024);
      boost::system::error_code read_error;
      try {
        co_await corio::timeout(idle, read_request(socket, buffer, parser));
      } catch (const boost::system::system_error& error) {
        read_error = error.code();
      }
      if (read_error == asio::error::timed_out)
        ++state.idle_closed;
      if (read_error && !is_malformed_request(read_error))
        break; // idle too long, the client closed or vanished, or we are shutting down
      const std::string_view bad_framing = read_error ? "" : framing_error(parser);
      if (read_error || !bad_framing.empty()) {
        ++state.malformed;
        response res = make_response(
            http::status::bad_request, 11,
            fmt::format("malformed request: {}\n",
                        read_error ? read_error.message() : std::string(bad_framing)));
        res.keep_alive(false);
        res.prepare_payload();
        co_await corio::timeout(idle, write_response(socket, res, false));
        break;
      }
      ++state.requests;
      const in_flight_guard counting(state.in_flight);
      const request& req = parser.get();
      response res = co_await answer(req, state);
      keep_alive = req.keep_alive() && !state.stopping;
      res.keep_alive(keep_alive);
      res.prepare_payload();
      const bool header_only = req.method() == http::verb::head;
      co_await corio::timeout(idle, write_response(socket, res, header_only));
    }
  } catch (const std::exception&) {
    // The client vanished mid-response (reset, broken pipe), a write timed out, or
    // run() cancelled us at shutdown: nothing to tell anyone, just close.
  }
  boost::system::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
  socket.close(ignored);
  --state.connections;
}
//! [connection]

} // namespace flags

#endif // CORIO_APPS_FLAGS_SESSION_HPP
