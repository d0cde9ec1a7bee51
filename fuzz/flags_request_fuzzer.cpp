// fuzz/flags_request_fuzzer.cpp - libFuzzer harness of corio-flags-server's request
// handling: each input is the byte stream one client sends on one connection.
//
// The server's own connection code (flags::serve_connection, apps/flags/session.hpp)
// serves it on one end of a local socket pair inside corio::run, as it serves a TCP
// connection. The harness writes the input into the other end, sometimes in small
// chunks so that requests arrive split, half-closes it, and reads everything the
// server sends until the server closes. No crash, no leak, no hang (libFuzzer's
// -timeout) and bounded memory (-rss_limit_mb) are checked by libFuzzer and the
// sanitizers; on top of that the answer must agree with an oracle, the same bytes
// parsed by Beast's request parser with the server's limits:
//  - the server's bytes are a sequence of well-formed HTTP responses (a HEAD's
//    without a body), one per request, in order, with the request's version and
//    keep-alive, and a plausible status: 200 or 500 for a GET of a flag (then with
//    the flag's bytes and digest), 404 or 500 for another GET, 405 otherwise;
//  - after a malformed request (one Beast cannot parse, or whose framing the server
//    refuses: session_detail::framing_error) exactly one 400, then the end; nothing
//    after an answer that says Connection: close;
//  - the connection ended on the client's EOF, never by waiting for the idle timeout,
//    and the server's counters add up (no connection or request left in flight).
// A failed check prints what differed and aborts, so libFuzzer saves the input.
//
//   scripts/fuzz.sh --seconds 60      builds this with clang 19 + ASan/UBSan, runs it
//   build/asan/bin/corio-flags-fuzzer crash-<sha1>    replays one input
#include "flags_common.hpp"
#include "session.hpp"

#include <corio/corio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local_socket = asio::local::stream_protocol::socket;
using boost::system::error_code;

const flags::flag_files& files() {
  static const flags::flag_files all = flags::make_flag_files();
  return all;
}

flags::server_options fuzz_options() {
  flags::server_options opts;
  opts.error_rate = 0.25; // some 500s, drawn from a fixed seed: the same on every run
  opts.seed = 1;
  opts.idle_timeout = 5; // the client always half-closes: an idle close is a bug
  return opts;
}

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "corio-flags-fuzzer: {}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fflush(stderr);
  std::abort();
}

// ------------------------------------------------------------------ the oracle
struct expected_request {
  http::verb method;
  std::string target;
  unsigned version;
  bool keep_alive;
};

constexpr std::size_t header_limit = 8 * 1024; // the server's

struct expectation {
  std::vector<expected_request> requests; // answered in order
  bool malformed = false;                 // then one 400 and the end
  bool open_end = false;                  // past `requests`, the server's answers are not predicted
  // The first request whose header is longer than header_limit (or that failed on
  // the limit), or SIZE_MAX. Beast applies the limit to what it has not parsed yet,
  // from the last complete line, so whether such a header passes depends on how the
  // bytes arrived; see LLVMFuzzerTestOneInput.
  std::size_t long_header_at = SIZE_MAX;
};

// Parses `bytes` as the server does: one request at a time, header at most 8 KiB,
// no body, until the end of the bytes, a malformed request or Connection: close.
expectation expect(std::string_view bytes) {
  asio::io_context ioc;
  beast::test::stream in(ioc, bytes);
  in.close_remote(); // reads then end with EOF, as on a half-closed socket
  beast::flat_buffer buffer;
  expectation result;
  for (;;) {
    const std::size_t start = in.nread_bytes() - buffer.size();
    const std::size_t header_end = bytes.find("\r\n\r\n", start);
    if (header_end != std::string_view::npos && header_end + 4 - start > header_limit)
      result.long_header_at = std::min(result.long_header_at, result.requests.size());
    http::request_parser<http::empty_body> parser;
    parser.header_limit(header_limit);
    error_code ec;
    http::read(in, buffer, parser, ec);
    if (ec) {
      if (ec == http::error::header_limit)
        result.long_header_at = std::min(result.long_header_at, result.requests.size());
      result.malformed = flags::session_detail::is_malformed_request(ec);
      return result;
    }
    if (!flags::session_detail::framing_error(parser).empty()) {
      result.malformed = true;
      return result;
    }
    const auto& req = parser.get();
    result.requests.push_back(
        {req.method(), std::string(req.target()), req.version(), req.keep_alive()});
    if (!req.keep_alive())
      return result;
  }
}

void check_answer(const http::response<http::string_body>& res, const expected_request& req,
                  std::size_t index) {
  const auto status = res.result();
  if (res.version() != req.version || res.keep_alive() != req.keep_alive)
    fail("response {}: version {} keep-alive {}, request: version {} keep-alive {}", index,
         res.version(), res.keep_alive(), req.version, req.keep_alive);
  if (req.method != http::verb::get) {
    if (status != http::status::method_not_allowed)
      fail("response {} to {} is {}, not 405", index, http::to_string(req.method),
           res.result_int());
    return;
  }
  const auto file = files().find(req.target);
  if (status == http::status::internal_server_error)
    return; // --error-rate
  if (file == files().end()) {
    if (status != http::status::not_found)
      fail("response {} to GET of an unknown target is {}, not 404", index, res.result_int());
    return;
  }
  if (status != http::status::ok || res.body() != file->second.body ||
      res[flags::digest_header] != file->second.digest)
    fail("response {} to GET {}: status {}, {} bytes, digest '{}'", index, req.target,
         res.result_int(), res.body().size(), std::string(res[flags::digest_header]));
}

// Checks what the server sent against what the oracle expects.
void check_responses(std::string_view received, const expectation& expected) {
  asio::io_context ioc;
  beast::test::stream in(ioc, received);
  in.close_remote();
  beast::flat_buffer buffer;
  const std::size_t answers = expected.requests.size() + (expected.malformed ? 1 : 0);
  for (std::size_t i = 0; i < answers; ++i) {
    http::response_parser<http::string_body> parser;
    const bool to_head =
        i < expected.requests.size() && expected.requests[i].method == http::verb::head;
    parser.skip(to_head); // the answer to a HEAD has a header and no body
    error_code ec;
    http::read(in, buffer, parser, ec);
    if (ec)
      fail("response {} of {}: {} (the server sent {} bytes)", i, answers, ec.message(),
           received.size());
    const auto& res = parser.get();
    if (i < expected.requests.size())
      check_answer(res, expected.requests[i], i);
    else if (res.result() != http::status::bad_request || res.keep_alive())
      fail("the answer to a malformed request is {}{}, not 400 and close", res.result_int(),
           res.keep_alive() ? " keep-alive" : "");
  }
  const std::size_t parsed = in.nread_bytes() - buffer.size();
  if (parsed != received.size() && !expected.open_end)
    fail("{} bytes after the {} expected responses", received.size() - parsed, answers);
}

// ------------------------------------------------------------------ the client side
corio::awaitable<void> read_all(local_socket& socket, std::string& received) {
  char chunk[4096];
  for (;;) {
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    received.append(chunk, n);
    if (ec)
      co_return; // EOF, or a reset when the server closed with our bytes unread
  }
}

// Writes `bytes` `chunk` bytes at a time, letting the server read in between, then
// half-closes. Stops early if the server has closed (it answered 400).
corio::awaitable<void> write_all(local_socket& socket, std::string_view bytes, std::size_t chunk) {
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    const auto part = bytes.substr(at, chunk);
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(part.data(), part.size()),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    co_await corio::yield_now();
  }
  error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_send, ignored);
}

corio::awaitable<void> exchange(std::string_view input, std::size_t chunk,
                                flags::server_state& state, std::string& received) {
  const auto ex = co_await asio::this_coro::executor;
  local_socket server_end(ex);
  local_socket client_end(ex);
  asio::local::connect_pair(server_end, client_end);
  auto session = corio::spawn(flags::serve_connection(std::move(server_end), state), "session");
  auto reader = corio::spawn(read_all(client_end, received), "reader");
  co_await write_all(client_end, input, chunk);
  co_await session;
  co_await reader;
}

// Most inputs arrive whole; one in four in chunks of 1 to 32 bytes, or in 64 chunks
// when that is more: the server's idle timeout bounds the whole request, and a few
// thousand one-byte writes under ASan on a busy machine can take longer than that.
std::size_t chunk_size_for(std::string_view input) {
  const std::uint64_t hash = flags::fnv1a64(input);
  if (input.empty() || hash % 4 != 0)
    return std::max<std::size_t>(input.size(), 1);
  return std::max<std::size_t>(1 + (hash >> 8) % 32, input.size() / 64);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::signal(SIGPIPE, SIG_IGN);
  files(); // the 249 flags, built once before the first input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  flags::server_state state{fuzz_options(), files()};
  std::string received;
  const std::size_t chunk = chunk_size_for(input);
  corio::run(exchange(input, chunk, state, received));

  if (state.idle_closed != 0)
    fail("the connection waited for the idle timeout after the client's EOF");
  if (state.connections != 0 || state.in_flight != 0)
    fail("{} connections and {} requests still counted after the session", state.connections,
         state.in_flight);
  expectation expected = expect(input);
  // Sent whole, the server reads the bytes in the same pieces as the oracle, and its
  // answers must match the oracle's exactly. Sent in pieces, Beast's incremental
  // parser may decide two things differently:
  //  - a malformed or unfinished last header: a request line too short to hold a
  //    version ("GET /a x\r\n\r\n") waits for more, and the end of the header is then
  //    looked for only past the bytes already seen; a header with no end exceeds the
  //    limit or not depending on the read sizes. So it ends as a 400 or as a partial
  //    message at EOF (no answer, the connection closed);
  //  - a header longer than the limit (expectation::long_header_at): the server may
  //    answer it with a 400 or read it. Everything before it must still match; after
  //    a header the oracle could not follow, the server's answers are not checked.
  if (chunk < input.size()) {
    expected.malformed = state.malformed == 1;
    const std::size_t long_header = expected.long_header_at;
    if (long_header <= expected.requests.size() && state.requests >= long_header) {
      expected.requests.resize(long_header);
      expected.open_end = state.requests > long_header || state.malformed == 0;
      if (expected.open_end)
        expected.malformed = false;
    }
  }
  if (expected.open_end ? state.requests < expected.requests.size()
                        : state.requests != expected.requests.size() ||
                              state.malformed != (expected.malformed ? 1u : 0u))
    fail("the server read {} requests ({} malformed), the oracle {} ({})", state.requests,
         state.malformed, expected.requests.size(), expected.malformed ? 1 : 0);
  check_responses(received, expected);
  return 0;
}
