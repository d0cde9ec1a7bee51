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
//   corio-flags-server: interrupted: stopping (0 requests in flight)
//   served 20 requests on 4 connections (0 turned away)
//   corio-flags-server: interrupted by SIGINT        (exit status 130; 143 for SIGTERM)
//   (with --loops 2: "...; connections per loop: 3 1")
//
// Limits: a connection idle for --idle-timeout seconds is closed (corio::timeout
// around each read), so dead clients do not pin tasks. Beyond --max-connections open
// connections, a new one is accepted and closed at once (the client sees the
// connection end without an answer) rather than queued.
//
// Stopping: the server has no signal code of its own. corio::run() takes SIGINT and
// SIGTERM (run_options::handle_signals) and cancels main, serve(); serve() catches
// that cancellation and, shielded, closes every acceptor (new connections are
// refused), lets requests already being answered finish within --grace seconds
// (each answered with Connection: close), prints its totals and returns. run() then
// cancels the idle keep-alive connections, drains, and throws corio::interrupted;
// app_main.hpp turns it into exit status 130 (SIGINT) or 143 (SIGTERM). A second
// signal during that drain ends the server at once (corio's message, same status).
//
// Many loops (--loops N, issue 17): every loop has its own acceptor on the same port
// (SO_REUSEPORT: the kernel spreads new connections over the loops by a hash of their
// addresses) and serves the connections it accepts on itself, start to end, with its
// own server_state, so no connection's data is ever shared between threads. Each loop
// admits --max-connections / N (rounded up) and draws its errors from --seed + its
// index; the stop closes every loop's acceptor and the totals are summed. Why
// SO_REUSEPORT rather than one acceptor handing sockets out: docs/design.md.
//
// What one connection does is session.hpp, shared with the fuzzer (fuzz/); this file
// is the accept loop, the orderly stop and the command line.
#include "app_main.hpp"
#include "cli_checks.hpp"
#include "flags_common.hpp"
#include "session.hpp"

#include <corio/corio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using seconds = std::chrono::duration<double>;
using flags::server_state;

// One loop's part of the server: its acceptor (bound to the shared port with
// SO_REUSEPORT when there are several loops, so the kernel spreads connections over
// them) and the state its connections share. Only its own loop touches it.
struct listener {
  corio::loop loop;
  server_state& state;
  tcp::acceptor acceptor;
};

// The figures of one loop, read on that loop once it has stopped.
struct served {
  std::uint64_t requests = 0;
  std::uint64_t accepted = 0;
  std::uint64_t turned_away = 0;
};

// Runs on l.loop: accepts connections and serves each on this loop, start to end,
// until main's cancellation (SIGINT/SIGTERM, through corio::run) reaches it.
corio::awaitable<void> accept_on(listener& l) {
  server_state& state = l.state;
  while (!state.stopping) {
    auto [error, socket] = co_await l.acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted || state.stopping)
      break; // cancelled, or the acceptor was closed
    if (error) {
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
}

// Runs on l.loop: closes its acceptor, so that new connections are refused, and tells
// its connections to close after the answer they are writing; returns the requests in
// flight on this loop.
corio::awaitable<std::size_t> stop_listening(listener& l) {
  l.state.stopping = true;
  boost::system::error_code ignored;
  l.acceptor.close(ignored);
  co_return l.state.in_flight;
}

// Runs on l.loop: waits for the requests being answered, until `deadline` at most;
// returns the loop's figures.
corio::awaitable<served> finish_in_flight(listener& l,
                                          std::chrono::steady_clock::time_point deadline) {
  server_state& state = l.state;
  while (state.in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    co_await corio::sleep(std::chrono::milliseconds(10));
  if (state.in_flight > 0)
    fmt::print(stderr, "corio-flags-server: {} requests still in flight after {}s; dropping them\n",
               state.in_flight, state.opts.grace);
  co_return served{state.requests, state.accepted, state.turned_away};
}

// The graceful stop, run shielded once main has been cancelled: no loop accepts any
// more, requests being answered get up to --grace seconds, then the totals. Idle
// keep-alive connections are left to corio::run(), which cancels them once main has
// returned.
corio::awaitable<void> shut_down(const std::vector<std::unique_ptr<listener>>& listeners) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            seconds(listeners.front()->state.opts.grace));
  std::size_t in_flight = 0;
  for (const auto& l : listeners)
    in_flight += co_await corio::spawn(l->loop, stop_listening(*l), "stop");
  fmt::print(stderr, "corio-flags-server: interrupted: stopping ({} requests in flight)\n",
             in_flight);
  served total;
  std::vector<std::uint64_t> per_loop; // connections served by each loop
  for (const auto& l : listeners) {
    const served one = co_await corio::spawn(l->loop, finish_in_flight(*l, deadline), "finish");
    total.requests += one.requests;
    total.accepted += one.accepted;
    total.turned_away += one.turned_away;
    per_loop.push_back(one.accepted - one.turned_away);
  }
  fmt::print("served {} requests on {} connections ({} turned away){}\n", total.requests,
             total.accepted - total.turned_away, total.turned_away,
             per_loop.size() > 1
                 ? fmt::format("; connections per loop: {}", fmt::join(per_loop, " "))
                 : "");
}

// One acceptor per loop, all on the same address. The first binds (to an ephemeral
// port with --port 0) and the others then bind to the port it got.
void listen_on_every_loop(std::vector<std::unique_ptr<listener>>& listeners,
                          std::vector<std::unique_ptr<server_state>>& states,
                          const flags::server_options& opts, const flags::flag_files& files) {
  const std::vector<corio::loop> loops = corio::loops();
  tcp::resolver resolver(loops.front().executor());
  tcp::endpoint endpoint =
      resolver.resolve(opts.host, std::to_string(opts.port)).begin()->endpoint();
  using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  for (const corio::loop& loop : loops) {
    flags::server_options mine = opts;
    mine.seed = opts.seed + loop.index(); // loop 0 draws as a one-loop server does
    mine.max_connections = (opts.max_connections + loops.size() - 1) / loops.size();
    server_state& state = *states.emplace_back(std::make_unique<server_state>(mine, files));
    tcp::acceptor& acceptor =
        listeners
            .emplace_back(std::make_unique<listener>(loop, state, tcp::acceptor(loop.executor())))
            ->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (loops.size() > 1)
      acceptor.set_option(reuse_port(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    endpoint = acceptor.local_endpoint();
  }
}

// `states` lives in main, outside run(): run() cancels and drains the connection tasks
// after serve() has returned.
corio::awaitable<int> serve(std::vector<std::unique_ptr<server_state>>& states,
                            const flags::server_options& opts, const flags::flag_files& files) {
  std::vector<std::unique_ptr<listener>> listeners;
  try {
    listen_on_every_loop(listeners, states, opts, files);
  } catch (const boost::system::system_error& error) {
    fmt::print(stderr, "corio-flags-server: cannot listen on {}:{}: {}\n", opts.host, opts.port,
               error.code().message());
    co_return 1;
  }
  const tcp::endpoint local = listeners.front()->acceptor.local_endpoint();
  fmt::print("listening on http://{}:{}/flags\n",
             local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                     : local.address().to_string(),
             local.port());
  std::fflush(stdout);

  std::vector<corio::task<void>> accepting;
  for (const auto& l : listeners)
    accepting.push_back(corio::spawn(l->loop, accept_on(*l), "accept"));
  try {
    for (auto& part : accepting)
      co_await part; // until SIGINT/SIGTERM: corio::run() cancels main, and so these
  } catch (const boost::system::system_error&) {
    // cancelled_error (or Asio's operation_aborted): the signal
  }
  // Shutting down in order needs suspensions that the cancellation does not cut
  // short; run() throws corio::interrupted after the drain (exit 130 / 143).
  co_await corio::enter_cleanup();
  co_await corio::shielded(shut_down(listeners));
  co_return 0;
}

int run_app(int argc, char** argv) {
  CLI::App app{"corio-flags-server: serves generated flag GIFs at /flags/{cc}/{cc}.gif"};
  flags::server_options opts;
  std::size_t loops = 1;
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
  cli_checks::add_loops_option(app, loops, "loops, each accepting and serving its own connections");
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
  std::vector<std::unique_ptr<server_state>> states; // one per loop
  return corio::run(serve(states, opts, files), {.loops = loops});
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-flags-server", run_app, argc, argv);
}
