// apps/bench/fan_out.cpp - workload 4: N GETs of flag images from corio-flags-server
// (its --delay per request, on loopback). Every request has its own connection:
// connect, send the GET, read the whole answer with Beast, close.
//
//   corio                one corio task per request, all in flight, on one loop
//   corio-loops-L        the same on L loops: each request spawned on corio::next_loop()
//   corio-limit-L        one loop, at most L in flight past a corio::semaphore
//   raw-asio             one co_spawn per request, all in flight, one thread
//   raw-asio-threads-T   the same on one io_context run by T threads
//   pool-P               P std::threads (started for the batch) doing blocking requests
//   thread-per-request   one std::thread per request, all at once
//
// The coroutine implementations run the same Asio coroutine (fetch), the thread ones
// the same blocking function (fetch_blocking): only how requests are started and
// awaited differs. A request that fails or is not answered 200 is counted in
// `errors`, never fatal. Without --server-url the child starts its own server (with
// --server-loops loops, as the parent's).
#include "flags_common.hpp"
#include "process.hpp"
#include "server_url.hpp"
#include "spawn_all.hpp"

#include <corio/semaphore.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <stdexcept>

namespace bench {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using number = std::uint64_t;
using response = http::response<http::string_body>;

struct fan_out_job {
  tcp::endpoint server;
  flags::server_url url;

  // Request i asks for the i-th ISO code's flag, round robin.
  http::request<http::empty_body> request(std::size_t i) const {
    const auto codes = flags::iso_codes();
    http::request<http::empty_body> req(http::verb::get, url.target_of(codes[i % codes.size()]),
                                        11);
    req.set(http::field::host, url.host);
    return req;
  }
};

number answered(const response& res) {
  return res.result() == http::status::ok && !res.body().empty() ? 1 : 0;
}

// ------------------------------------------------------------------ coroutines
asio::awaitable<number> fetch(const fan_out_job& job, std::size_t i) {
  try {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(job.server, asio::use_awaitable);
    const auto req = job.request(i);
    co_await http::async_write(socket, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    response res;
    co_await http::async_read(socket, buffer, res, asio::use_awaitable);
    co_return answered(res);
  } catch (const boost::system::system_error&) {
    co_return 0;
  }
}

corio::awaitable<number> limited_fetch(corio::semaphore& slots, const fan_out_job& job,
                                       std::size_t i) {
  const auto permit = co_await slots.acquire_permit();
  co_return co_await fetch(job, i);
}

corio::awaitable<number> corio_limited(const fan_out_job& job, std::size_t n, std::size_t limit) {
  corio::semaphore slots(static_cast<std::ptrdiff_t>(limit));
  co_return co_await corio_spawn_all(
      n, [&job, &slots](std::size_t i) { return limited_fetch(slots, job, i); });
}

// ------------------------------------------------------------------ threads
// Blocking calls on sockets of one io_context that is never run (Asio's synchronous
// operations are plain blocking system calls; distinct sockets are thread-safe).
number fetch_blocking(const fan_out_job& job, asio::io_context& context, std::size_t i) {
  try {
    tcp::socket socket(context);
    socket.connect(job.server);
    http::write(socket, job.request(i));
    beast::flat_buffer buffer;
    response res;
    http::read(socket, buffer, res);
    return answered(res);
  } catch (const boost::system::system_error&) {
    return 0;
  }
}

// ------------------------------------------------------------------ dispatch
// Runs the batch with `impl`; returns how many requests were answered 200.
number run_batch(const fan_out_job& job, const std::string& impl, std::size_t n) {
  const auto each = [&job](std::size_t i) { return fetch(job, i); };
  if (impl == "corio")
    return corio::run(corio_spawn_all(n, each));
  if (const std::size_t limit = number_after(impl, "corio-limit-"); limit > 0)
    return corio::run(corio_limited(job, n, limit));
  if (const std::size_t loops = number_after(impl, "corio-loops-"); loops > 0)
    return corio::run(corio_spawn_all(n, each, /*spread=*/true), {.loops = loops});
  if (impl == "raw-asio")
    return run_raw(raw_spawn_all(n, each));
  if (const std::size_t threads = number_after(impl, "raw-asio-threads-"); threads > 0)
    return raw_threads_run_all(n, threads, each);
  asio::io_context context(1);
  const auto blocking = [&job, &context](std::size_t i) { return fetch_blocking(job, context, i); };
  if (impl == "thread-per-request")
    return threads_spawn_all(n, blocking);
  if (const std::size_t workers = number_after(impl, "pool-"); workers > 0)
    return pool_run_all(n, workers, blocking);
  throw unknown_impl{impl};
}

} // namespace

std::vector<record> run_fan_out(const child_args& args) {
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<flags_server> own_server;
  std::string url_text = args.server_url;
  if (url_text.empty()) {
    own_server = std::make_unique<flags_server>(
        args.server_path.empty() ? default_flags_server_path() : args.server_path, args.seconds,
        args.server_loops);
    url_text = own_server->url();
  }
  std::string error;
  const auto url = flags::parse_server_url(url_text, error);
  if (!url)
    throw std::runtime_error(fmt::format("fan-out: bad server URL '{}': {}", url_text, error));
  const fan_out_job job{tcp::endpoint(asio::ip::make_address(url->host),
                                      static_cast<asio::ip::port_type>(std::stoul(url->port))),
                        *url};

  const auto start = clock::now();
  const number ok = run_batch(job, args.impl, args.n);
  const double wall = seconds_since(start);
  record r = make_record(args, wall, wall * 1e9 / static_cast<double>(args.n));
  r.set("requests_per_s", static_cast<double>(args.n) / wall);
  r.set("errors", static_cast<double>(args.n - ok));
  r.set("delay_s", args.seconds);
  r.set("server_loops", static_cast<double>(args.server_loops));
  return {r};
}

} // namespace bench
