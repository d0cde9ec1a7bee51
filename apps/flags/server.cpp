// corio-flags-server: an HTTP/1.1 flags server (Boost.Beast), one corio task per
// connection, for the downloader (corio-flags) to fan out against.
//
// GET /flags/{cc}/{cc}.gif answers a generated GIF for each lower-case ISO 3166 code
// (flags_common.hpp: the same bytes on every run, digest in X-Flag-Digest), 404 for
// anything else, 405 for other methods, 400 (then close) for a malformed request.
// Keep-alive is honoured. Each request can be slowed (--delay, a corio::sleep, so a
// thousand sleeping requests cost no thread) and failed at random (--error-rate,
// answered 500; the draw sequence is fixed by --seed).
//
//   $ corio-flags-server --port 0 --delay 0.5
//   listening on http://127.0.0.1:41234/flags        (always the first line, flushed)
//   ^C
//   corio-flags-server: SIGINT: stopping (0 requests in flight)
//   served 20 requests on 4 connections (0 turned away)
//
// Limits: a connection idle for --idle-timeout seconds is closed (corio::timeout
// around each read), so dead clients do not pin tasks. Beyond --max-connections open
// connections, a new one is accepted and closed at once (the client sees the
// connection end without an answer) rather than queued. SIGINT/SIGTERM stop the
// accept loop; requests already being answered get up to --grace seconds to finish,
// idle keep-alive connections are closed, and the server exits 0.
#include "flags_common.hpp"

#include <corio/corio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using seconds = std::chrono::duration<double>;

struct options {
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

// Everything the connection tasks share. It lives in main(), outside run(), because
// run() cancels and drains the connection tasks after serve() has returned.
struct server_state {
  options opts;
  std::unordered_map<std::string, flag_file> files; // by path: "/flags/cn/cn.gif"
  std::mt19937_64 random;
  bool stopping = false;
  std::size_t connections = 0; // open connection tasks
  std::size_t in_flight = 0;   // requests read and not yet fully answered
  std::uint64_t requests = 0;
  std::uint64_t accepted = 0;
  std::uint64_t turned_away = 0;
};

using request = http::request<http::empty_body>;
using response = http::response<http::string_body>;

response make_response(http::status status, unsigned version, std::string body) {
  response res(status, version);
  res.set(http::field::server, "corio-flags-server");
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

//! [answer]
// Answers one request: the delay, the random failure, then the file or a 404.
corio::awaitable<response> answer(const request& req, server_state& state) {
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
  res.set(flags::digest_header, file->second.digest);
  co_return res;
}
//! [answer]

corio::awaitable<void> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    http::request_parser<http::empty_body>& parser) {
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
}

corio::awaitable<void> write_response(beast::tcp_stream& stream, response& res) {
  co_await http::async_write(stream, res, asio::use_awaitable);
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

bool is_malformed_request(const boost::system::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

//! [connection]
// One task per connection: read a request (at most idle_timeout), answer it, repeat
// while the client keeps the connection alive.
corio::awaitable<void> serve_connection(tcp::socket socket, server_state& state) {
  ++state.connections;
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  const seconds idle(state.opts.idle_timeout);
  try {
    for (bool keep_alive = true; keep_alive && !state.stopping;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(8 * 1024);
      boost::system::error_code read_error;
      try {
        co_await corio::timeout(idle, read_request(stream, buffer, parser));
      } catch (const boost::system::system_error& error) {
        read_error = error.code();
      }
      if (read_error && !is_malformed_request(read_error))
        break; // idle too long, the client closed or vanished, or we are shutting down
      if (read_error) {
        response res = make_response(http::status::bad_request, 11,
                                     fmt::format("malformed request: {}\n", read_error.message()));
        res.keep_alive(false);
        res.prepare_payload();
        co_await corio::timeout(idle, write_response(stream, res));
        break;
      }
      ++state.requests;
      const in_flight_guard counting(state.in_flight);
      const request& req = parser.get();
      response res = co_await answer(req, state);
      keep_alive = req.keep_alive() && !state.stopping;
      res.keep_alive(keep_alive);
      res.prepare_payload();
      co_await corio::timeout(idle, write_response(stream, res));
    }
  } catch (const std::exception&) {
    // The client vanished mid-response (reset, broken pipe), a write timed out, or
    // run() cancelled us at shutdown: nothing to tell anyone, just close.
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
  --state.connections;
}
//! [connection]

corio::awaitable<void> stop_on_signal(asio::signal_set& signals, tcp::acceptor& acceptor,
                                      server_state& state) {
  const int number = co_await signals.async_wait(asio::use_awaitable);
  state.stopping = true;
  fmt::print(stderr, "corio-flags-server: {}: stopping ({} requests in flight)\n",
             number == SIGINT ? "SIGINT" : "SIGTERM", state.in_flight);
  boost::system::error_code ignored;
  acceptor.close(ignored); // the pending accept ends with operation_aborted
}

corio::awaitable<int> serve(server_state& state) {
  const auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex);
  try {
    tcp::resolver resolver(ex);
    const tcp::endpoint endpoint =
        resolver.resolve(state.opts.host, std::to_string(state.opts.port)).begin()->endpoint();
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& error) {
    fmt::print(stderr, "corio-flags-server: cannot listen on {}:{}: {}\n", state.opts.host,
               state.opts.port, error.code().message());
    co_return 1;
  }
  asio::signal_set signals(ex, SIGINT, SIGTERM); // before the first line: tests signal after it
  const tcp::endpoint local = acceptor.local_endpoint();
  fmt::print("listening on http://{}:{}/flags\n",
             local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                     : local.address().to_string(),
             local.port());
  std::fflush(stdout);
  corio::task<void> watcher = corio::spawn(stop_on_signal(signals, acceptor, state), "signals");

  while (!state.stopping) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) {
      if (state.stopping)
        break;
      // Out of file descriptors or a transient network error: say so, back off, go on.
      fmt::print(stderr, "corio-flags-server: accept: {}\n", error.message());
      co_await corio::sleep(std::chrono::milliseconds(100));
      continue;
    }
    ++state.accepted;
    if (state.connections >= state.opts.max_connections) {
      ++state.turned_away; // accepted and closed: the client sees its connection end
      continue;
    }
    corio::spawn(serve_connection(std::move(socket), state), "connection");
  }

  // Graceful stop: let requests being answered finish, within the grace period. Idle
  // keep-alive connections are cancelled by run() once we return.
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(seconds(state.opts.grace));
  while (state.in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    co_await corio::sleep(std::chrono::milliseconds(10));
  if (state.in_flight > 0)
    fmt::print(stderr, "corio-flags-server: {} requests still in flight after {}s; dropping them\n",
               state.in_flight, state.opts.grace);
  watcher.cancel();
  fmt::print("served {} requests on {} connections ({} turned away)\n", state.requests,
             state.accepted - state.turned_away, state.turned_away);
  co_return 0;
}

CLI::Validator seconds_from_0_to(double max) {
  return CLI::Validator(
      [max](const std::string& text) {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        return end != text.c_str() && *end == '\0' && value >= 0 && value <= max
                   ? std::string()
                   : fmt::format("must be a number of seconds from 0 to {}", max);
      },
      "SECONDS");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"corio-flags-server: serves generated flag GIFs at /flags/{cc}/{cc}.gif"};
  options opts;
  app.add_option("--host", opts.host, "address to listen on")->capture_default_str();
  app.add_option("--port", opts.port, "TCP port; 0 picks a free one")->capture_default_str();
  app.add_option("--delay", opts.delay, "added latency per request, in seconds")
      ->check(seconds_from_0_to(3600))
      ->capture_default_str();
  app.add_option("--error-rate", opts.error_rate, "fraction of requests answered 500")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--seed", opts.seed, "seed of the --error-rate draws")->capture_default_str();
  app.add_option("--max-connections", opts.max_connections,
                 "open connections beyond this are accepted and closed at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--idle-timeout", opts.idle_timeout,
                 "close a connection that sends no request for this long")
      ->check(seconds_from_0_to(3600))
      ->capture_default_str();
  app.add_option("--grace", opts.grace, "on SIGINT/SIGTERM, how long in-flight requests may take")
      ->check(seconds_from_0_to(3600))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  std::signal(SIGPIPE, SIG_IGN); // a vanished client is an error code, not a signal
  flags::raise_open_file_limit("corio-flags-server");
  server_state state;
  state.opts = opts;
  state.random.seed(opts.seed);
  flags::server_url paths;
  paths.prefix = "/flags";
  for (const std::string_view code : flags::iso_codes()) {
    std::string body = flags::flag_gif(code);
    std::string digest = flags::digest_hex(body);
    state.files.emplace(paths.target_of(code), flag_file{std::move(body), std::move(digest)});
  }
  return corio::run(serve(state));
}
