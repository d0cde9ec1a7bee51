// corio-flags: download flag images three ways - one after another, with a pool of
// OS threads, and with corio coroutines - to see why coroutines win at I/O fan-out.
//
//   $ corio-flags-server --port 8001 --delay 0.5 &
//   $ corio-flags --mode sequential        # ~10 s: 20 x 0.5 s, one at a time
//   $ corio-flags --mode threadpool        # ~0.5 s: 20 threads, each blocked on one request
//   $ corio-flags --mode coroutine         # ~0.5 s: one thread, 20 tasks on one loop
//   coroutine mode: 20 flags from http://127.0.0.1:8001/flags, at most 20 at a time
//   20 downloads in 0.51s: 20 ok, 0 not found, 0 errors
//
// Codes: CC arguments, or the 20 most populous countries by default; --all takes
// every ISO 3166 code (249), --every every pair AA..ZZ (676, most of them 404).
// Any static file server works (nginx, python3 -m http.server serving
// flags/{cc}/{cc}.gif). A body that comes with an X-Flag-Digest header
// (corio-flags-server's extra, flags_common.hpp) is checked against it; one without is
// taken as it is. Each flag is saved to --out DIR/cc.gif when asked. A 404, a 500, a
// timeout, a reset or a malformed answer is counted and reported; the batch goes on.
//
// Exit status, in the spirit of curl --fail and wget:
//   0  every flag was downloaded (and saved, with --out) or answered 404
//   1  some flag was not: any other HTTP status, a timeout, a connection or protocol
//      error, a digest mismatch, a file that could not be written; or the server
//      could not be reached at all (one message on stderr, no batch)
//   2  a usage error: a bad option or a bad --server URL
//
// All modes use HTTP/1.1 keep-alive: each worker (the sequential loop, each thread,
// each of the N permits' holders) reuses one connection, opened on first use and
// reopened after an error; a request that fails on a reused connection before any
// answer (the server closed it while idle) is retried once on a fresh one.
// --timeout bounds each request (connect + send + receive) in every mode, the retry
// included: one deadline per request, fixed when it starts, so a retry gets only the
// time left (not a fresh --timeout, which let one request take twice the limit).
//  - sequential / threadpool: a blocking client. Each call runs one Beast operation
//    on the thread's own io_context and returns when it is done or the deadline has
//    passed: a blocking call with a timeout, as a classic client does with poll().
//  - coroutine: one corio task per code, at most N past a corio::semaphore; Beast's
//    async operations awaited directly, the deadline is corio::timeout. With --loops L
//    the codes are dealt round robin to L lanes, one per loop (spawned with
//    corio::next_loop()), each with N / L of the permits and its own connections.
#include "app_main.hpp"
#include "cli_checks.hpp"
#include "flags_common.hpp"
#include "server_url.hpp"

#include <corio/corio.hpp>
#include <corio/semaphore.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using seconds = std::chrono::duration<double>;
using boost::system::error_code;

// ------------------------------------------------------------------ what every mode shares
enum class status { ok, not_found, error };

struct outcome {
  status kind = status::error;
  std::string reason; // for errors
};

// What a download needs to know, fixed for the whole batch.
struct job {
  flags::server_url url;
  tcp::resolver::results_type endpoints; // resolved once, before the batch
  seconds timeout{10};
  std::optional<fs::path> out;
};

// A progress bar on stderr, drawn only when stderr is a terminal. Thread-safe.
class progress {
public:
  explicit progress(std::size_t total) : total_(total), enabled_(isatty(STDERR_FILENO) != 0) {}
  void tick() {
    if (!enabled_)
      return;
    std::lock_guard lock(mutex_);
    ++done_;
    constexpr std::size_t width = 40;
    const std::size_t filled = done_ * width / total_;
    fmt::print(stderr, "\r[{}{}] {}/{}", std::string(filled, '#'), std::string(width - filled, ' '),
               done_, total_);
    if (done_ == total_)
      fmt::print(stderr, "\r{}\r", std::string(width + 30, ' '));
    std::fflush(stderr);
  }

private:
  std::mutex mutex_;
  std::size_t done_ = 0;
  std::size_t total_;
  bool enabled_;
};

using response = http::response<http::string_body>;

http::request<http::empty_body> make_request(const job& j, std::string_view code) {
  http::request<http::empty_body> req(http::verb::get, j.url.target_of(code), 11);
  req.set(http::field::host, j.url.host);
  req.set(http::field::user_agent, "corio-flags");
  return req;
}

// Turns a complete answer into an outcome: checks the digest if there is one (any
// static file server sends none), saves the file.
outcome check(const response& res, std::string_view code, const job& j) {
  if (res.result() == http::status::not_found)
    return {status::not_found, {}};
  if (res.result() != http::status::ok)
    return {status::error, fmt::format("HTTP {} {}", res.result_int(), res.reason())};
  const auto digest = res.find(flags::digest_header);
  if (digest != res.end() && flags::digest_hex(res.body()) != digest->value())
    return {status::error, "digest mismatch"};
  if (j.out) {
    const std::string name = flags::file_name(code);
    std::ofstream file(*j.out / name, std::ios::binary);
    file << res.body();
    if (!file.flush())
      return {status::error, fmt::format("cannot write {}", (*j.out / name).string())};
  }
  return {status::ok, {}};
}

std::string describe(const error_code& ec, const job& j) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out)
    return fmt::format("timed out after {}s", j.timeout.count());
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return "connection closed by the server";
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return fmt::format("malformed response: {}", ec.message());
  return ec.message();
}

// The server may close a keep-alive connection while it is idle; a request sent on it
// then fails before any answer. That (and only that) is retried once, on a new one.
bool stale_connection(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// When a request started now must be done, its retry included.
std::chrono::steady_clock::time_point request_deadline(const job& j) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(j.timeout);
}

// One keep-alive connection and its read buffer.
struct connection {
  explicit connection(const asio::any_io_executor& ex) : stream(ex) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool open = false;

  void close() {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    buffer.clear();
    open = false;
  }
};

// ------------------------------------------------------------------ blocking client
// sequential and threadpool: a thread calls fetch() and is blocked until it returns.
class blocking_client {
public:
  explicit blocking_client(const job& j) : job_(j), connection_(ioc_.get_executor()) {}

  outcome fetch(std::string_view code) {
    const auto deadline = request_deadline(job_);
    error_code ec = exchange(code, deadline);
    if (ec && reused_ && stale_connection(ec))
      ec = exchange(code, deadline); // what is left of the same deadline
    if (ec)
      return {status::error, describe(ec, job_)};
    return check(response_, code, job_);
  }

private:
  error_code exchange(std::string_view code, std::chrono::steady_clock::time_point deadline) {
    auto& stream = connection_.stream;
    stream.expires_at(deadline);
    reused_ = connection_.open;
    error_code ec;
    if (!connection_.open) {
      ec = wait([&](auto done) { stream.async_connect(job_.endpoints, done); });
      connection_.open = !ec;
    }
    const auto req = make_request(job_, code);
    if (!ec)
      ec = wait([&](auto done) { http::async_write(stream, req, done); });
    response_ = {};
    if (!ec)
      ec = wait([&](auto done) { http::async_read(stream, connection_.buffer, response_, done); });
    if (ec || !response_.keep_alive())
      connection_.close();
    return ec;
  }

  // Starts one operation and runs this thread's io_context until it completes.
  template <typename Start>
  error_code wait(Start start) {
    error_code result;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  const job& job_;
  asio::io_context ioc_;
  connection connection_;
  response response_;
  bool reused_ = false;
};

void download_sequential(const std::vector<std::string>& codes, const job& j,
                         std::vector<outcome>& outcomes, progress& bar) {
  blocking_client client(j);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    outcomes[i] = client.fetch(codes[i]);
    bar.tick();
  }
}

//! [threadpool]
void download_threadpool(const std::vector<std::string>& codes, const job& j,
                         std::vector<outcome>& outcomes, progress& bar, std::size_t threads) {
  std::mutex mutex;
  std::size_t next = 0; // the work queue: the next code to take, under mutex
  auto worker = [&] {
    blocking_client client(j);
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(mutex);
        if (next == codes.size())
          return;
        i = next++;
      }
      outcomes[i] = client.fetch(codes[i]); // each thread writes its own slots
      bar.tick();
    }
  };
  std::vector<std::jthread> pool;
  for (std::size_t t = 0; t < std::min(threads, codes.size()); ++t)
    pool.emplace_back(worker);
} // the jthreads join here
//! [threadpool]

// ------------------------------------------------------------------ coroutine client
// Idle keep-alive connections, shared by the tasks of one loop: at most N exist,
// since a task holds one only while it holds a semaphore permit.
using connection_pool = std::vector<std::unique_ptr<connection>>;

corio::awaitable<response> exchange(connection& conn, const job& j, std::string_view code) {
  if (!conn.open) {
    co_await asio::async_connect(conn.stream.socket(), j.endpoints, asio::use_awaitable);
    conn.open = true;
  }
  const auto req = make_request(j, code);
  co_await http::async_write(conn.stream, req, asio::use_awaitable);
  response res;
  co_await http::async_read(conn.stream, conn.buffer, res, asio::use_awaitable);
  co_return res;
}

corio::awaitable<outcome> fetch_async(const job& j, connection_pool& pool, std::string code) {
  std::unique_ptr<connection> conn;
  if (pool.empty()) {
    conn = std::make_unique<connection>(co_await asio::this_coro::executor);
  } else {
    conn = std::move(pool.back());
    pool.pop_back();
  }
  const auto deadline = request_deadline(j); // the retry gets only what is left
  for (bool retry = conn->open;; retry = false) {
    error_code ec;
    response res;
    try {
      res = co_await corio::timeout_at(deadline, exchange(*conn, j, code));
    } catch (const boost::system::system_error& error) {
      ec = error.code();
    }
    if (ec || !res.keep_alive())
      conn->close();
    if (ec && retry && stale_connection(ec))
      continue;
    pool.push_back(std::move(conn));
    if (ec)
      co_return outcome{status::error, describe(ec, j)};
    co_return check(res, code, j);
  }
}

//! [coroutine]
corio::awaitable<void> fetch_one(const job& j, connection_pool& pool, corio::semaphore& slots,
                                 std::string code, outcome& result, progress& bar) {
  auto permit = co_await slots.acquire_permit(); // at most N past this line
  result = co_await fetch_async(j, pool, std::move(code));
  bar.tick();
}

// One loop's share of the batch: codes first, first + step, ... with its own permits
// and connections (a semaphore and a socket serve one loop).
corio::awaitable<void> download_lane(const std::vector<std::string>& codes, std::size_t first,
                                     std::size_t step, const job& j, std::vector<outcome>& outcomes,
                                     progress& bar, std::size_t concurrency) {
  corio::semaphore slots(concurrency);
  connection_pool pool;
  // One task per code, in a group that is a scope: none outlives the permits and the
  // pool it uses, and one that fails (or a cancelled lane) cancels and awaits the rest.
  co_await corio::with_task_group([&](corio::task_group& lane) -> corio::awaitable<void> {
    for (std::size_t i = first; i < codes.size(); i += step)
      lane.spawn(fetch_one(j, pool, slots, codes[i], outcomes[i], bar));
    co_return;
  });
}

// With --loops N: one lane per loop (at most one per permit), the permits split
// between them; each outcome is written by one lane and read after all have ended.
corio::awaitable<void> download_coroutine(const std::vector<std::string>& codes, const job& j,
                                          std::vector<outcome>& outcomes, progress& bar,
                                          std::size_t concurrency) {
  const std::size_t lanes = std::min(corio::loops().size(), concurrency);
  std::vector<corio::task<void>> parts;
  for (std::size_t k = 0; k < lanes; ++k) {
    const std::size_t share = concurrency / lanes + (k < concurrency % lanes ? 1 : 0);
    parts.push_back(corio::spawn(corio::next_loop(),
                                 download_lane(codes, k, lanes, j, outcomes, bar, share), "lane"));
  }
  for (auto& part : parts)
    co_await part;
}
//! [coroutine]

// ------------------------------------------------------------------ main
// Resolves the server and opens one connection: a server that is down or a host that
// does not resolve is one clear message and exit 1, not a batch of identical errors.
std::optional<tcp::resolver::results_type> reach(const flags::server_url& url, seconds limit) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  error_code ec;
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    fmt::print(stderr, "corio-flags: cannot resolve {}: {}\n", url.host, ec.message());
    return std::nullopt;
  }
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(limit));
  stream.async_connect(endpoints, [&ec](error_code result, const tcp::endpoint&) { ec = result; });
  ioc.run();
  if (ec) {
    fmt::print(stderr, "corio-flags: cannot reach the server at {}: {}\n", url.text(),
               ec == beast::error::timeout ? "connection timed out" : ec.message());
    return std::nullopt;
  }
  return endpoints;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Prints the counts and each error's codes; returns the exit status (see the top).
int print_summary(const std::vector<std::string>& codes, const std::vector<outcome>& outcomes,
                  seconds elapsed) {
  std::size_t counts[3] = {0, 0, 0};
  std::map<std::string, std::vector<std::string>> errors; // reason -> codes
  for (std::size_t i = 0; i < codes.size(); ++i) {
    ++counts[static_cast<int>(outcomes[i].kind)];
    if (outcomes[i].kind == status::error)
      errors[outcomes[i].reason].push_back(codes[i]);
  }
  fmt::print("{} in {:.2f}s: {} ok, {} not found, {}\n", plural(codes.size(), "download"),
             elapsed.count(), counts[0], counts[1], plural(counts[2], "error"));
  for (const auto& [reason, which] : errors) {
    constexpr std::size_t shown = 10;
    const std::vector<std::string> head(which.begin(),
                                        which.begin() + std::min(shown, which.size()));
    fmt::print("  {}: {} ({}{})\n", reason, which.size(), fmt::join(head, " "),
               which.size() > shown ? " ..." : "");
  }
  return counts[static_cast<int>(status::error)] == 0 ? 0 : 1;
}

int run_app(int argc, char** argv) {
  CLI::App app{"corio-flags: download flags sequentially, with a thread pool, or with coroutines"};
  std::vector<std::string> codes;
  std::string mode = "coroutine";
  std::string server = "http://127.0.0.1:8001/flags";
  std::size_t concurrency = 20;
  std::size_t limit = 0;
  double timeout = 10;
  std::string out;
  bool all = false;
  bool every = false;
  std::size_t loops = 1;
  auto* positional =
      app.add_option("CC", codes, "country codes (default: the 20 most populous)")
          ->check(CLI::Validator(
              [](std::string& code) {
                if (code.size() != 2 || !std::isalpha(static_cast<unsigned char>(code[0])) ||
                    !std::isalpha(static_cast<unsigned char>(code[1])))
                  return fmt::format("'{}' is not a two-letter country code", code);
                for (char& c : code)
                  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                return std::string();
              },
              "CC"));
  app.add_option("--mode", mode, "sequential, threadpool or coroutine")
      ->check(CLI::IsMember({"sequential", "threadpool", "coroutine"}))
      ->capture_default_str();
  app.add_option("--server", server, "where the flags are: http://HOST:PORT/PREFIX")
      ->capture_default_str();
  app.add_option("--concurrency", concurrency,
                 "threads (threadpool) or requests in flight (coroutine)")
      ->check(cli_checks::whole_number(1, 100000))
      ->capture_default_str();
  app.add_option("--limit", limit, "download only the first N codes")
      ->check(cli_checks::whole_number(1));
  app.add_option("--timeout", timeout, "seconds allowed for each request")
      ->check(cli_checks::number(0.001, 3600, "seconds"))
      ->capture_default_str();
  app.add_option("--out", out, "save the flags in this directory");
  cli_checks::add_loops_option(app, loops, "coroutine mode: loops the downloads are spread over");
  auto* all_flag = app.add_flag("--all", all, "every ISO 3166 code (249)")->excludes(positional);
  app.add_flag("--every", every, "every pair AA..ZZ (676, most of them 404)")
      ->excludes(positional)
      ->excludes(all_flag);
  app.footer("Exit status:\n"
             "  0  every flag was downloaded (and saved, with --out) or answered 404\n"
             "  1  some flag was not: an error status, a timeout, a connection, protocol or\n"
             "     digest error, a file not written; or the server cannot be reached\n"
             "  2  a usage error: a bad option or --server URL\n");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  if (all)
    codes.assign(flags::iso_codes().begin(), flags::iso_codes().end());
  else if (every)
    codes = flags::every_pair();
  else if (codes.empty())
    codes.assign(flags::populous_codes().begin(), flags::populous_codes().end());
  if (limit > 0 && limit < codes.size())
    codes.resize(limit);

  if (loops != 1 && mode != "coroutine") {
    fmt::print(stderr, "corio-flags: --loops applies to --mode coroutine only\n");
    return 2;
  }
  const std::size_t loop_count =
      loops == 0 ? std::max(1u, std::thread::hardware_concurrency()) : loops;
  std::string url_error;
  const auto url = flags::parse_server_url(server, url_error);
  if (!url) {
    fmt::print(stderr, "corio-flags: bad --server URL '{}': {}\n", server, url_error);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  flags::raise_open_file_limit("corio-flags");
  job j{*url, {}, seconds(timeout), std::nullopt};
  if (!out.empty()) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
      fmt::print(stderr, "corio-flags: cannot create {}: {}\n", out, ec.message());
      return 1;
    }
    j.out = fs::path(out);
  }
  const auto endpoints = reach(j.url, j.timeout);
  if (!endpoints)
    return 1;
  j.endpoints = *endpoints;

  if (mode == "sequential")
    fmt::print("sequential mode: {} from {}, one at a time\n", plural(codes.size(), "flag"),
               j.url.text());
  else
    fmt::print("{} mode: {} from {}, at most {} at a time{}\n", mode, plural(codes.size(), "flag"),
               j.url.text(), concurrency,
               loops == 1 ? "" : fmt::format(", on {} loops", loop_count));
  std::fflush(stdout);
  std::vector<outcome> outcomes(codes.size());
  progress bar(codes.size());
  const auto start = std::chrono::steady_clock::now();
  if (mode == "sequential")
    download_sequential(codes, j, outcomes, bar);
  else if (mode == "threadpool")
    download_threadpool(codes, j, outcomes, bar, concurrency);
  else
    corio::run(download_coroutine(codes, j, outcomes, bar, concurrency), {.loops = loops});
  return print_summary(codes, outcomes, std::chrono::steady_clock::now() - start);
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-flags", run_app, argc, argv);
}
