// corio-flags-server: an HTTP/1.1 flags server (Boost.Beast), one corio task per
// connection, for the downloader (corio-flags) to fan out against.
//
// GET /flags/{cc}/{cc}.gif answers a generated GIF for each lower-case ISO 3166 code
// (flags_common.hpp: the same bytes on every run, digest in X-Flag-Digest), 404 for
// anything else, 405 for other methods (a HEAD gets the header alone), 400 (then
// close) for a malformed request. Keep-alive is honoured. Each request can be slowed
// (--delay, a corio::sleep, so a thousand sleeping requests cost no thread) and
// failed at random (--error-rate, answered 500; the draw sequence is fixed by --seed).
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
//
// What one connection does is session.hpp, shared with the fuzzer (fuzz/); this file
// is the accept loop, the signals and the command line.
#include "cli_checks.hpp"
#include "flags_common.hpp"
#include "session.hpp"

#include <corio/corio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using seconds = std::chrono::duration<double>;
using flags::server_state;

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
    corio::spawn(flags::serve_connection(std::move(socket), state), "connection");
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

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"corio-flags-server: serves generated flag GIFs at /flags/{cc}/{cc}.gif"};
  flags::server_options opts;
  app.add_option("--host", opts.host, "address to listen on")->capture_default_str();
  app.add_option("--port", opts.port, "TCP port; 0 picks a free one")
      ->check(cli_checks::whole_number(0, 65535))
      ->capture_default_str();
  app.add_option("--delay", opts.delay, "added latency per request, in seconds")
      ->check(cli_checks::number(0, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--error-rate", opts.error_rate, "fraction of requests answered 500")
      ->check(cli_checks::number(0, 1))
      ->capture_default_str();
  app.add_option("--seed", opts.seed, "seed of the --error-rate draws")
      ->check(cli_checks::whole_number(0))
      ->capture_default_str();
  app.add_option("--max-connections", opts.max_connections,
                 "open connections beyond this are accepted and closed at once")
      ->check(cli_checks::whole_number(1, 1000000))
      ->capture_default_str();
  app.add_option("--idle-timeout", opts.idle_timeout,
                 "close a connection that sends no request for this long")
      ->check(cli_checks::number(0, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--grace", opts.grace, "on SIGINT/SIGTERM, how long in-flight requests may take")
      ->check(cli_checks::number(0, 3600, "seconds"))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  std::signal(SIGPIPE, SIG_IGN); // a vanished client is an error code, not a signal
  flags::raise_open_file_limit("corio-flags-server");
  const flags::flag_files files = flags::make_flag_files();
  server_state state{opts, files};
  return corio::run(serve(state));
}
