// corio-flags-soak: many keep-alive clients against corio-flags-server for a while,
// with random disconnects; scripts/soak.sh runs it and watches the server's memory
// and file descriptors.
//
//   $ corio-flags-soak --server http://127.0.0.1:35215/flags --clients 10000 --seconds 180
//   soak: 10000 clients, 180 s, seed 1, http://127.0.0.1:35215/flags
//   requests 198793 ok (1027/s), 985 errors
//     read: timed out: 985
//   disconnects 2042: 525 close, 521 reset, 508 unanswered, 488 half request
//   client peak RSS 70.6 MB
//   (2 cores shared with a dozen compilers: the server answered late, not never)
//
// One corio task per client, all on one loop. Each client opens a connection (the
// start is spread over --ramp seconds, so 10,000 connects do not all hit the listen
// backlog at once), then loops until --seconds have passed: GET a random flag, check
// the status and the X-Flag-Digest of the body, wait a random pause of up to --pause
// seconds, and, with probability --disconnect-rate, leave in one of four ways before
// connecting again: close after an answer, reset (SO_LINGER 0) after an answer, send
// a request and close without reading the answer, or close in the middle of a request.
// The draws come from --seed. Every failure is counted by kind, never fatal: the exit
// code is 0 when the soak ran, 1 if the server could not be reached at all, 2 for bad
// options. Each connect, write and read is bounded by --timeout.
#include "app_main.hpp"
#include "cli_checks.hpp"
#include "flags_common.hpp"
#include "server_url.hpp"

#include <corio/corio.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using seconds = std::chrono::duration<double>;
using clock_type = std::chrono::steady_clock;

struct settings {
  std::string server = "http://127.0.0.1:8001/flags";
  std::size_t clients = 10000;
  double duration = 180;
  double ramp = 5;
  double pause = 1;
  double disconnect_rate = 0.01;
  double timeout = 10;
  std::uint64_t seed = 1;
};

// The ways a client leaves on purpose, and what becomes of a connection after a request.
enum class leave { close, reset, unanswered, half_request };
enum class next { keep, close, reset };

// What every client shares (one loop: no locks).
struct soak {
  settings opts;
  flags::server_url url;
  tcp::resolver::results_type endpoints;
  clock_type::time_point end;
  std::mt19937_64 random;
  std::uint64_t ok = 0;
  std::uint64_t left[4] = {0, 0, 0, 0};
  std::map<std::string, std::uint64_t> errors; // by kind

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(random); }
  bool running() const { return clock_type::now() < end; }
};

template <typename T>
corio::awaitable<T> bounded(const soak& s, corio::awaitable<T> operation) {
  co_return co_await corio::timeout(seconds(s.opts.timeout), std::move(operation));
}

corio::awaitable<void> connect(tcp::socket& socket, const soak& s) {
  co_await asio::async_connect(socket, s.endpoints, asio::use_awaitable);
}

corio::awaitable<void> send(tcp::socket& socket, std::string_view bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), asio::use_awaitable);
}

corio::awaitable<void> receive(tcp::socket& socket, beast::flat_buffer& buffer,
                               http::response<http::string_body>& res) {
  co_await http::async_read(socket, buffer, res, asio::use_awaitable);
}

// An error's kind, for the summary: "connect: Connection refused", "read: timed out".
std::string kind_of(std::string_view step, const boost::system::error_code& ec) {
  if (ec == asio::error::timed_out)
    return fmt::format("{}: timed out", step);
  return fmt::format("{}: {}", step, ec.message());
}

// The request bytes for one random flag.
std::string request_for(soak& s) {
  const auto codes = flags::iso_codes();
  const auto code =
      codes[std::uniform_int_distribution<std::size_t>(0, codes.size() - 1)(s.random)];
  return fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: corio-flags-soak\r\n\r\n",
                     s.url.target_of(code), s.url.host);
}

std::string problem_with(const http::response<http::string_body>& res) {
  if (res.result() != http::status::ok)
    return fmt::format("HTTP {}", res.result_int());
  if (flags::digest_hex(res.body()) != res[flags::digest_header])
    return "digest mismatch";
  return {};
}

void close(tcp::socket& socket, next how) {
  boost::system::error_code ignored;
  if (how == next::reset)
    socket.set_option(asio::socket_base::linger(true, 0), ignored); // RST, not FIN
  socket.close(ignored);
}

// One request on an open connection, and whether the connection goes on.
corio::awaitable<next> exchange(tcp::socket& socket, beast::flat_buffer& buffer, soak& s) {
  const std::string req = request_for(s);
  const bool leaving = s.uniform() < s.opts.disconnect_rate;
  const auto how = static_cast<leave>(std::uniform_int_distribution<int>(0, 3)(s.random));
  if (leaving)
    ++s.left[static_cast<int>(how)];
  const char* step = "write";
  try {
    if (leaving && how == leave::half_request) {
      co_await bounded(s, send(socket, std::string_view(req).substr(0, req.size() / 2)));
      co_return next::close;
    }
    co_await bounded(s, send(socket, req));
    if (leaving && how == leave::unanswered)
      co_return next::close;
    step = "read";
    http::response<http::string_body> res;
    co_await bounded(s, receive(socket, buffer, res));
    if (const std::string problem = problem_with(res); !problem.empty())
      ++s.errors[problem];
    else
      ++s.ok;
    if (leaving)
      co_return how == leave::reset ? next::reset : next::close;
    co_return res.keep_alive() ? next::keep : next::close;
  } catch (const boost::system::system_error& error) {
    ++s.errors[kind_of(step, error.code())];
    co_return next::close;
  }
}

corio::awaitable<void> client(soak& s, std::size_t index) {
  co_await corio::sleep(
      seconds(s.opts.ramp * static_cast<double>(index) / static_cast<double>(s.opts.clients)));
  const auto ex = co_await asio::this_coro::executor;
  while (s.running()) {
    tcp::socket socket(ex);
    boost::system::error_code failed;
    try {
      co_await bounded(s, connect(socket, s));
    } catch (const boost::system::system_error& error) {
      failed = error.code();
    }
    if (failed) {
      ++s.errors[kind_of("connect", failed)];
      co_await corio::sleep(std::chrono::milliseconds(100));
      continue;
    }
    beast::flat_buffer buffer;
    next then = next::keep;
    while (then == next::keep && s.running()) {
      then = co_await exchange(socket, buffer, s);
      if (then == next::keep && s.opts.pause > 0)
        co_await corio::sleep(seconds(s.uniform() * s.opts.pause));
    }
    close(socket, then);
  }
}

corio::awaitable<void> run_soak(soak& s) {
  s.end = clock_type::now() +
          std::chrono::duration_cast<clock_type::duration>(seconds(s.opts.ramp + s.opts.duration));
  std::vector<corio::task<void>> clients;
  clients.reserve(s.opts.clients);
  for (std::size_t i = 0; i < s.opts.clients; ++i)
    clients.push_back(corio::spawn(client(s, i)));
  for (auto& c : clients)
    co_await c;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

int run_app(int argc, char** argv) {
  CLI::App app{"corio-flags-soak: keep-alive clients with random disconnects against "
               "corio-flags-server"};
  settings opts;
  app.add_option("--server", opts.server, "where the flags are: http://HOST:PORT/PREFIX")
      ->capture_default_str();
  app.add_option("--clients", opts.clients, "concurrent keep-alive clients")
      ->check(cli_checks::whole_number(1, 100000))
      ->capture_default_str();
  app.add_option("--seconds", opts.duration, "how long the clients loop, after the ramp")
      ->check(cli_checks::number(0, 86400, "seconds"))
      ->capture_default_str();
  app.add_option("--ramp", opts.ramp, "seconds over which the clients connect")
      ->check(cli_checks::number(0, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--pause", opts.pause, "each client waits up to this long between requests")
      ->check(cli_checks::number(0, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--disconnect-rate", opts.disconnect_rate,
                 "probability that a request ends its connection (four ways, at random)")
      ->check(cli_checks::number(0, 1))
      ->capture_default_str();
  app.add_option("--timeout", opts.timeout, "seconds allowed for each connect, write and read")
      ->check(cli_checks::number(0.001, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--seed", opts.seed, "seed of every random draw")
      ->check(cli_checks::whole_number(0))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  std::string url_error;
  const auto url = flags::parse_server_url(opts.server, url_error);
  if (!url) {
    fmt::print(stderr, "corio-flags-soak: bad --server URL '{}': {}\n", opts.server, url_error);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  flags::raise_open_file_limit("corio-flags-soak");
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < opts.clients + 64)
    fmt::print(stderr,
               "corio-flags-soak: the open-file limit ({}) is below {} clients + 64; the "
               "connects beyond it will fail (raise the hard limit: ulimit -Hn)\n",
               files.rlim_cur, opts.clients);

  soak s;
  s.opts = opts;
  s.url = *url;
  s.random.seed(opts.seed);
  try { // one blocking connect first: a server that is down is one message, not N errors
    asio::io_context ioc;
    s.endpoints = tcp::resolver(ioc).resolve(url->host, url->port);
    tcp::socket probe(ioc);
    asio::connect(probe, s.endpoints);
  } catch (const boost::system::system_error& error) {
    fmt::print(stderr, "corio-flags-soak: cannot reach the server at {}: {}\n", url->text(),
               error.code().message());
    return 1;
  }
  fmt::print("soak: {} clients, {} s, seed {}, {}\n", opts.clients, opts.duration, opts.seed,
             url->text());
  std::fflush(stdout);
  const auto start = clock_type::now();
  corio::run(run_soak(s));
  const seconds elapsed = clock_type::now() - start;

  std::uint64_t error_count = 0;
  for (const auto& [kind, n] : s.errors)
    error_count += n;
  fmt::print("requests {} ok ({:.0f}/s), {} errors\n", s.ok,
             static_cast<double>(s.ok) / elapsed.count(), error_count);
  for (const auto& [kind, n] : s.errors)
    fmt::print("  {}: {}\n", kind, n);
  std::uint64_t disconnects = 0;
  for (const auto n : s.left)
    disconnects += n;
  fmt::print("disconnects {}: {} close, {} reset, {} unanswered, {} half request\n", disconnects,
             s.left[0], s.left[1], s.left[2], s.left[3]);
  fmt::print("client peak RSS {:.1f} MB\n", peak_rss_mb());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-flags-soak", run_app, argc, argv);
}
