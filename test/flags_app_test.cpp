// Smoke tests of corio-flags-server, corio-flags and corio-cpu, run as real child
// processes. Each test starts its own server on an ephemeral 127.0.0.1 port (the
// first stdout line says which), points the downloader at it and stops it with
// SIGTERM. The downloader is also pointed at servers corio did not write: Python's
// static file server (python3 -m http.server) and, for what no honest server sends, a
// scripted one in this file. Sizes are small; timing is checked only as lower bounds
// (the benchmark lives elsewhere). Traffic goes to 127.0.0.1 only.
#include "support/child_process.hpp"

#include "flags_common.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using corio::test::child_process;
using corio::test::process_result;
using corio::test::run_process;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> modes = {"sequential", "threadpool", "coroutine"};

// A server stopped by SIGTERM drains and exits 128 + 15 (README, "Bad input and exit
// status"); 130 for SIGINT.
constexpr int stopped_by_sigterm = 143;

// A corio-flags-server on an ephemeral port, stopped (SIGKILL) when the test ends.
struct server {
  explicit server(std::vector<std::string> options = {}) : process(arguments(std::move(options))) {
    const std::string line = process.read_line();
    static const std::regex listening("listening on (http://127\\.0\\.0\\.1:([0-9]+)/flags)");
    std::smatch match;
    BOOST_TEST_REQUIRE(std::regex_match(line, match, listening), "first line: '" << line << "'");
    url = match[1];
    port = static_cast<std::uint16_t>(std::stoi(match[2]));
  }

  static std::vector<std::string> arguments(std::vector<std::string> options) {
    options.insert(options.begin(), {"--port", "0"});
    return corio::test::command(CORIO_APP_FLAGS_SERVER_PATH, options);
  }

  // A graceful stop: exits stopped_by_sigterm.
  process_result stop() {
    process.signal(SIGTERM);
    return process.wait(10s);
  }

  child_process process;
  std::string url;
  std::uint16_t port = 0;
};

// A fresh directory, removed with its contents at the end of the test.
struct temp_dir {
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "corio-flags-XXXXXX").string();
    BOOST_TEST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

// python3 -m http.server on an ephemeral port, serving a directory of flags/{cc}/{cc}.gif
// files (the generated GIFs, written here) with no X-Flag-Digest: an ordinary static
// file server, as in Fluent Python's flags examples. Killed when the test ends.
struct static_server {
  explicit static_server(std::span<const std::string_view> codes)
      : process(start(root.path, codes)) {
    // -u: unbuffered, so the line that names the port arrives now.
    const std::string line = process.read_line(30s);
    static const std::regex serving("Serving HTTP on 127\\.0\\.0\\.1 port ([0-9]+) .*");
    std::smatch match;
    BOOST_TEST_REQUIRE(std::regex_match(line, match, serving), "first line: '" << line << "'");
    url = "http://127.0.0.1:" + match[1].str() + "/flags";
  }

  static std::vector<std::string> start(const fs::path& root,
                                        std::span<const std::string_view> codes) {
    BOOST_TEST_REQUIRE(std::string(CORIO_PYTHON3_PATH) != "",
                       "python3 was not found at configure time: apt-get install python3");
    for (const auto code : codes) {
      const fs::path dir = root / "flags" / fs::path(flags::file_name(code)).stem();
      fs::create_directories(dir);
      std::ofstream(dir / flags::file_name(code), std::ios::binary) << flags::flag_gif(code);
    }
    return {CORIO_PYTHON3_PATH, "-u",          "-m", "http.server", "--bind", "127.0.0.1",
            "--directory",      root.string(), "0"};
  }

  fs::path file_of(std::string_view code) const {
    return root.path / "flags" / fs::path(flags::file_name(code)).stem() / flags::file_name(code);
  }

  temp_dir root;
  child_process process;
  std::string url;
};

// Binds `fd` to an ephemeral 127.0.0.1 port and listens; the flags URL there.
std::string listen_on_loopback(int fd) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  BOOST_TEST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0);
  BOOST_TEST_REQUIRE(listen(fd, 64) == 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/flags";
}

// A connection accepted on `fd` within 50 ms, or -1.
int accept_one(int fd) {
  pollfd readable{fd, POLLIN, 0};
  if (poll(&readable, 1, 50) <= 0)
    return -1;
  return accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// One request's header from `client`; empty when it closes or says nothing for 5 s
// (a connection probe).
std::string read_request(int client) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    pollfd ready{client, POLLIN, 0};
    const ssize_t n = poll(&ready, 1, 5000) > 0 ? recv(client, buffer, sizeof buffer, 0) : 0;
    if (n <= 0)
      return {};
    request.append(buffer, static_cast<std::size_t>(n));
  }
  return request;
}

// A server that answers every request with the same bytes, then closes the connection:
// for answers no honest server sends (a wrong digest). Stopped when the test ends.
struct scripted_server {
  explicit scripted_server(std::string answer)
      : answer_(std::move(answer)), url(listen_on_loopback(fd_)) {
    thread_ = std::jthread([this](const std::stop_token& stop) { serve(stop); });
  }
  ~scripted_server() {
    thread_.request_stop();
    thread_.join();
    close(fd_);
  }
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;

private:
  void serve(const std::stop_token& stop) const {
    while (!stop.stop_requested()) {
      const int client = accept_one(fd_);
      if (client < 0)
        continue;
      if (!read_request(client).empty())
        send(client, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  std::string answer_;
  int fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

public:
  std::string url;

private:
  std::jthread thread_;
};

// A stale keep-alive connection that is slow to fail, then a slow retry: answers the
// first request at once and keeps the connection; holds the second for `stall` and
// closes without an answer; answers the third (the retry, on a new connection) after
// `slow`. Stopped when the test ends.
struct stale_then_slow_server {
  stale_then_slow_server(std::chrono::milliseconds stall, std::chrono::milliseconds slow)
      : url(listen_on_loopback(fd_)), stall_(stall), slow_(slow) {
    thread_ = std::jthread([this](const std::stop_token& stop) { serve(stop); });
  }
  ~stale_then_slow_server() {
    thread_.request_stop();
    thread_.join();
    close(fd_);
  }
  stale_then_slow_server(const stale_then_slow_server&) = delete;
  stale_then_slow_server& operator=(const stale_then_slow_server&) = delete;

private:
  void serve(const std::stop_token& stop) const {
    static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nGIF";
    int requests = 0;
    while (!stop.stop_requested() && requests < 3) {
      const int client = accept_one(fd_);
      if (client < 0)
        continue;
      while (!read_request(client).empty()) { // empty: reach()'s probe
        ++requests;
        if (requests == 1) {
          send(client, ok.data(), ok.size(), MSG_NOSIGNAL);
          continue;
        }
        std::this_thread::sleep_for(requests == 2 ? stall_ : slow_);
        if (requests == 3)
          send(client, ok.data(), ok.size(), MSG_NOSIGNAL);
        break;
      }
      close(client);
    }
  }

  int fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

public:
  std::string url;

private:
  std::chrono::milliseconds stall_, slow_;
  std::jthread thread_;
};

process_result download(const std::vector<std::string>& arguments) {
  return run_process(corio::test::command(CORIO_APP_FLAGS_PATH, arguments), 60s);
}

struct summary {
  bool found = false;
  int total = 0, ok = 0, not_found = 0, errors = 0;
  double seconds = 0;
};

// "20 downloads in 0.43s: 18 ok, 1 not found, 1 error"
summary summary_of(const std::string& out) {
  static const std::regex line(
      "([0-9]+) downloads? in ([0-9.]+)s: ([0-9]+) ok, ([0-9]+) not found, ([0-9]+) errors?\n");
  std::smatch match;
  summary s;
  if (!std::regex_search(out, match, line))
    return s;
  s.found = true;
  s.total = std::stoi(match[1]);
  s.seconds = std::stod(match[2]);
  s.ok = std::stoi(match[3]);
  s.not_found = std::stoi(match[4]);
  s.errors = std::stoi(match[5]);
  return s;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --- raw TCP, for what a well-behaved client never sends
int connect_to(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_TEST_REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

void send_text(int fd, const std::string& text) {
  BOOST_TEST_REQUIRE(send(fd, text.data(), text.size(), MSG_NOSIGNAL) ==
                     static_cast<ssize_t>(text.size()));
}

// Everything the server sends until it closes the connection (or `limit` passes).
std::string read_until_closed(int fd, std::chrono::milliseconds limit = 10s) {
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) <= 0)
      break;
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return received;
}

// One request on a new connection; the whole answer (the server closes after it).
std::string ask(std::uint16_t port, const std::string& request) {
  const int fd = connect_to(port);
  send_text(fd, request);
  return read_until_closed(fd);
}

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// Downloads the 20 default flags from `url` in every mode, saving them, and checks that
// each saved file holds the bytes `served(code)` says the server has.
void every_mode_saves_the_20_flags(const std::string& url,
                                   const std::function<std::string(std::string_view)>& served) {
  for (const auto& mode : modes) {
    temp_dir out;
    const auto result = download(
        {"--mode", mode, "--server", url, "--concurrency", "4", "--out", out.path.string()});
    BOOST_TEST(result.exit_code == 0, mode << ": " << result.err);
    const auto sum = summary_of(result.out);
    BOOST_TEST(sum.found, result.out);
    BOOST_TEST(sum.total == 20);
    BOOST_TEST(sum.ok == 20, mode << ": " << result.out);
    for (const auto code : flags::populous_codes()) {
      const std::string saved = read_file(out.path / flags::file_name(code));
      BOOST_TEST(saved.size() >= 300u, mode << " " << code);
      BOOST_TEST((saved == served(code)), mode << " " << code);
    }
    BOOST_TEST(std::distance(fs::directory_iterator(out.path), fs::directory_iterator()) == 20);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(flags_app_test)

BOOST_AUTO_TEST_CASE(every_mode_saves_the_same_verified_files) {
  server s;
  every_mode_saves_the_20_flags(s.url, [](std::string_view code) { return flags::flag_gif(code); });
  const auto stopped = s.stop();
  BOOST_TEST(stopped.exit_code == stopped_by_sigterm, stopped.err);
}

// Issue 16: corio-flags once required corio-flags-server's X-Flag-Digest and saved 0 of
// 20 flags from any other server (and exited 0).
BOOST_AUTO_TEST_CASE(a_static_file_server_without_digests_works_in_every_mode) {
  static_server s(flags::populous_codes());
  every_mode_saves_the_20_flags(s.url,
                                [&s](std::string_view code) { return read_file(s.file_of(code)); });
  const auto missing = download({"cn", "zz", "--server", s.url}); // a 404 is not a failure
  const auto sum = summary_of(missing.out);
  BOOST_TEST(sum.ok == 1, missing.out);
  BOOST_TEST(sum.not_found == 1, missing.out);
  BOOST_TEST(missing.exit_code == 0, missing.err);
}

BOOST_AUTO_TEST_CASE(a_digest_that_is_sent_is_checked_and_a_mismatch_exits_1) {
  const std::string body = flags::flag_gif("cn");
  scripted_server s("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nX-Flag-Digest: " + flags::digest_hex("not the body") +
                    "\r\nConnection: close\r\n\r\n" + body);
  for (const auto& mode : modes) {
    const auto result = download({"CN", "--mode", mode, "--server", s.url});
    BOOST_TEST(result.out.find("digest mismatch: 1 (CN)") != std::string::npos, result.out);
    BOOST_TEST(result.exit_code == 1, mode);
  }
}

BOOST_AUTO_TEST_CASE(generated_flags_are_distinct_gifs_with_stable_digests) {
  BOOST_TEST(flags::iso_codes().size() == 249u);
  BOOST_TEST(flags::every_pair().size() == 676u);
  BOOST_TEST(flags::flag_gif("cn") == flags::flag_gif("CN"));
  BOOST_TEST(flags::flag_gif("CN").starts_with("GIF89a"));
  BOOST_TEST(flags::flag_gif("CN").ends_with(";"));
  BOOST_TEST(flags::digest_hex(flags::flag_gif("CN")) != flags::digest_hex(flags::flag_gif("US")));
  BOOST_TEST(flags::digest_hex("") == "cbf29ce484222325");  // FNV-1a-64 offset basis
  BOOST_TEST(flags::digest_hex("a") == "af63dc4c8601ec8c"); // the published test vector
}

BOOST_AUTO_TEST_CASE(unknown_codes_are_counted_as_not_found) {
  server s;
  for (const auto& mode : modes) {
    const auto result = download({"cn", "ZZ", "us", "xx", "--mode", mode, "--server", s.url});
    BOOST_TEST(result.exit_code == 0);
    const auto sum = summary_of(result.out);
    BOOST_TEST(sum.total == 4);
    BOOST_TEST(sum.ok == 2, mode << ": " << result.out);
    BOOST_TEST(sum.not_found == 2, mode << ": " << result.out);
    BOOST_TEST(sum.errors == 0);
  }
  // --every walks AA..ZZ: the first 40 pairs hold as many flags as ISO codes.
  const auto every = download({"--every", "--limit", "40", "--server", s.url});
  const auto pairs = flags::every_pair();
  const int iso =
      static_cast<int>(std::count_if(pairs.begin(), pairs.begin() + 40, flags::is_iso_code));
  const auto sum = summary_of(every.out);
  BOOST_TEST(sum.total == 40);
  BOOST_TEST(sum.ok == iso);
  BOOST_TEST(sum.not_found == 40 - iso);
  BOOST_TEST(s.stop().exit_code == stopped_by_sigterm);
}

BOOST_AUTO_TEST_CASE(error_rate_answers_are_errors_with_their_reason) {
  server always({"--error-rate", "1"});
  for (const auto& mode : modes) {
    const auto result = download({"--mode", mode, "--server", always.url, "--limit", "5"});
    BOOST_TEST(result.exit_code == 1); // the batch ran, and some flags were not saved
    const auto sum = summary_of(result.out);
    BOOST_TEST(sum.errors == 5, mode << ": " << result.out);
    BOOST_TEST(result.out.find("HTTP 500 Internal Server Error: 5 (") != std::string::npos);
  }
  server half({"--error-rate", "0.5", "--seed", "7"});
  const auto result = download({"--all", "--server", half.url});
  const auto sum = summary_of(result.out);
  BOOST_TEST(sum.total == 249);
  BOOST_TEST(sum.errors > 50, result.out); // about 125
  BOOST_TEST(sum.ok > 50, result.out);
  BOOST_TEST(sum.ok + sum.errors == 249);
}

BOOST_AUTO_TEST_CASE(server_delay_is_added_to_every_request) {
  server s({"--delay", "0.3"});
  const auto sequential = download({"--mode", "sequential", "--limit", "3", "--server", s.url});
  BOOST_TEST(summary_of(sequential.out).ok == 3);
  BOOST_TEST(summary_of(sequential.out).seconds >= 0.9);
  const auto coroutine = download({"--mode", "coroutine", "--limit", "3", "--server", s.url});
  BOOST_TEST(summary_of(coroutine.out).ok == 3);
  BOOST_TEST(summary_of(coroutine.out).seconds >= 0.3);
}

BOOST_AUTO_TEST_CASE(requests_slower_than_the_timeout_are_errors) {
  server s({"--delay", "1"});
  for (const auto& mode : modes) {
    const auto result =
        download({"--mode", mode, "--limit", "3", "--timeout", "0.2", "--server", s.url});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(summary_of(result.out).errors == 3, mode << ": " << result.out);
    BOOST_TEST(result.out.find("timed out after 0.2s: 3") != std::string::npos, result.out);
  }
  BOOST_TEST(s.stop().exit_code == stopped_by_sigterm);
}

// --timeout bounds the whole request, its retry on a fresh connection included: the
// stale connection takes 0.7 s to fail, the retry's answer takes 0.6 s more, so the
// request has used at least 1.3 s of its 1 s by then and must fail as a timeout (a
// retry with a fresh --timeout succeeded here). Only lower bounds on time are relied on.
BOOST_AUTO_TEST_CASE(a_retry_after_a_stale_connection_gets_only_what_is_left_of_the_timeout) {
  for (const auto& mode : modes) {
    stale_then_slow_server s(700ms, 600ms);
    const auto result = download(
        {"--mode", mode, "--concurrency", "1", "--timeout", "1", "--server", s.url, "us", "fr"});
    BOOST_TEST(result.exit_code == 1, mode << ": " << result.out << result.err);
    const auto sum = summary_of(result.out);
    BOOST_TEST(sum.ok == 1, mode << ": " << result.out);
    BOOST_TEST(sum.errors == 1, mode << ": " << result.out);
    BOOST_TEST(result.out.find("timed out after 1s: 1 (fr)") != std::string::npos,
               mode << ": " << result.out);
  }
}

BOOST_AUTO_TEST_CASE(a_server_killed_mid_run_gives_errors_not_a_hang) {
  for (const auto& mode : modes) {
    server s({"--delay", "0.1"});
    const temp_dir out;
    child_process downloader({CORIO_APP_FLAGS_PATH, "--all", "--mode", mode, "--concurrency", "4",
                              "--server", s.url, "--out", out.path.string()});
    // Kill the server once it has answered a request (a saved flag), not after a fixed
    // time: on a loaded machine the first answer can take longer than any guess.
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (fs::is_empty(out.path) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(10ms);
    BOOST_TEST_REQUIRE(!fs::is_empty(out.path), mode << ": no flag saved in 30 s");
    s.process.signal(SIGKILL);
    const auto result = downloader.wait(30s);
    BOOST_TEST(!result.timed_out);
    BOOST_TEST(result.exit_code == 1, mode << ": " << result.err);
    const auto sum = summary_of(result.out);
    BOOST_TEST(sum.total == 249);
    BOOST_TEST(sum.ok > 0, mode << ": " << result.out);
    BOOST_TEST(sum.errors > 0, mode << ": " << result.out);
  }
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_one_clear_message_and_exit_1) {
  std::string url;
  {
    server gone;
    url = gone.url;
    BOOST_TEST(gone.stop().exit_code == stopped_by_sigterm);
  }
  for (const auto& mode : modes) {
    const auto result = download({"--mode", mode, "--server", url});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("cannot reach the server at " + url) != std::string::npos,
               result.err);
    BOOST_TEST(!summary_of(result.out).found);
  }
  for (const char* bad :
       {"ftp://127.0.0.1/flags", "127.0.0.1:8001", "http://:80/", "http://h:0/", "http://h:70000/",
        "http://h/flags?cc=cn", "http://h/flags#top", "http://[::1/flags", "http://h/fl ags"}) {
    const auto result = download({"--server", bad});
    BOOST_TEST(result.exit_code == 2, bad); // a usage error
    BOOST_TEST(result.err.find("bad --server URL") != std::string::npos, bad << ": " << result.err);
  }
}

// Issue 17: the server accepts on every loop (SO_REUSEPORT) and the downloader spreads
// its coroutine-mode downloads over loops; the files are the same as with one loop.
BOOST_AUTO_TEST_CASE(a_server_on_two_loops_serves_downloaders_on_two_loops) {
  server s({"--loops", "2"});
  for (const std::string mode : {"coroutine", "threadpool"}) {
    temp_dir out;
    std::vector<std::string> arguments = {"--mode",        mode, "--server", s.url,
                                          "--concurrency", "4",  "--out",    out.path.string()};
    if (mode == "coroutine")
      arguments.insert(arguments.end(), {"--loops", "2"});
    const auto result = download(arguments);
    BOOST_TEST(result.exit_code == 0, mode << ": " << result.err);
    BOOST_TEST(summary_of(result.out).ok == 20, mode << ": " << result.out);
    for (const auto code : flags::populous_codes())
      BOOST_TEST((read_file(out.path / flags::file_name(code)) == flags::flag_gif(code)), code);
  }
  // 40 connections from 40 source ports: the kernel's hash gives each loop some.
  for (int i = 0; i < 40; ++i)
    BOOST_TEST(ask(s.port, get("/flags/in/in.gif")).ends_with(flags::flag_gif("in")));
  const auto stopped = s.stop();
  BOOST_TEST(stopped.exit_code == stopped_by_sigterm, stopped.err);
  static const std::regex per_loop("served ([0-9]+) requests on [0-9]+ connections \\(0 turned "
                                   "away\\); connections per loop: ([0-9]+) ([0-9]+)\n");
  std::smatch match;
  BOOST_TEST_REQUIRE(std::regex_search(stopped.out, match, per_loop), stopped.out);
  BOOST_TEST(std::stoi(match[1]) == 80);
  BOOST_TEST(std::stoi(match[2]) > 0);
  BOOST_TEST(std::stoi(match[3]) > 0);
}

BOOST_AUTO_TEST_CASE(bad_options_exit_2_and_help_exits_0) {
  for (const auto& bad :
       std::vector<std::vector<std::string>>{{"--mode", "fibers"},
                                             {"--concurrency", "0"},
                                             {"--timeout", "-1"},
                                             {"--limit", "0"},
                                             {"--all", "--every"},
                                             {"CN", "--all"},
                                             {"XYZ"},
                                             {"--loops", "1025"},
                                             {"--loops", "-1"},
                                             {"--loops", "2", "--mode", "sequential"},
                                             {"--no-such-option"}}) {
    const auto result = download(bad);
    BOOST_TEST(result.exit_code == 2, bad[0]);
    BOOST_TEST(!result.err.empty(), bad[0]);
  }
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--error-rate", "2"},
                                                               {"--delay", "-1"},
                                                               {"--port", "70000"},
                                                               {"--max-connections", "0"},
                                                               {"--loops", "1025"},
                                                               {"--loops", "two"}}) {
    const auto result = run_process(corio::test::command(CORIO_APP_FLAGS_SERVER_PATH, bad));
    BOOST_TEST(result.exit_code == 2, bad[0]);
  }
  const auto help = download({"--help"});
  BOOST_TEST(help.exit_code == 0);
  for (const char* option : {"--mode", "--server", "--concurrency", "--limit", "--timeout", "--out",
                             "--all", "--every", "--loops"})
    BOOST_TEST(help.out.find(option) != std::string::npos, option);
  const auto server_help = run_process({CORIO_APP_FLAGS_SERVER_PATH, "--help"});
  BOOST_TEST(server_help.exit_code == 0);
  for (const char* option : {"--host", "--port", "--delay", "--error-rate", "--seed",
                             "--max-connections", "--idle-timeout", "--grace", "--loops"})
    BOOST_TEST(server_help.out.find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flags_server_test)

BOOST_AUTO_TEST_CASE(a_malformed_request_gets_400_and_the_next_connection_works) {
  server s;
  const std::string garbage = ask(s.port, "garbage\r\n\r\n");
  BOOST_TEST(garbage.starts_with("HTTP/1.1 400 Bad Request\r\n"), garbage);
  BOOST_TEST(garbage.find("Connection: close") != std::string::npos);
  const std::string binary = ask(s.port, std::string("\x16\x03\x01\x00\xff\x00\r\n\r\n", 10));
  BOOST_TEST(binary.starts_with("HTTP/1.1 400"), binary);

  const std::string answer = ask(s.port, get("/flags/cn/cn.gif"));
  BOOST_TEST(answer.starts_with("HTTP/1.1 200 OK\r\n"), answer);
  const std::string body = flags::flag_gif("cn");
  BOOST_TEST(answer.ends_with("\r\n\r\n" + body));
  BOOST_TEST(answer.find("X-Flag-Digest: " + flags::digest_hex(body) + "\r\n") !=
             std::string::npos);
  BOOST_TEST(s.stop().exit_code == stopped_by_sigterm);
}

// Issue 16: "Transfer-Encoding: xchunked" was answered 200, and the bytes after the
// header read as the next request (the start of request smuggling).
BOOST_AUTO_TEST_CASE(a_transfer_encoding_that_does_not_end_in_chunked_gets_400_and_close) {
  server s;
  const std::string get_cn = "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: x\r\n";
  for (const char* coding : {"xchunked", "gzip", "chunked, gzip", "identity"}) {
    const std::string answer =
        ask(s.port, get_cn + "Transfer-Encoding: " + coding + "\r\n\r\n" + get("/flags/us/us.gif"));
    BOOST_TEST(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), coding << ": " << answer);
    BOOST_TEST(count_of(answer, "HTTP/1.1 ") == 1u, coding << ": " << answer);
  }
  // RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing too.
  const std::string http10 =
      ask(s.port, "GET /flags/cn/cn.gif HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  BOOST_TEST(http10.starts_with("HTTP/1.1 400 Bad Request\r\n"), http10);
  // A chunked GET (with an empty body) is still a request.
  const std::string chunked =
      ask(s.port, get_cn + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
  BOOST_TEST(chunked.starts_with("HTTP/1.1 200 OK\r\n"), chunked);
}

BOOST_AUTO_TEST_CASE(unknown_paths_get_404_and_other_methods_405) {
  server s;
  BOOST_TEST(ask(s.port, get("/flags/CN/CN.gif")).starts_with("HTTP/1.1 404"));
  BOOST_TEST(ask(s.port, get("/flags/zz/zz.gif")).starts_with("HTTP/1.1 404"));
  BOOST_TEST(ask(s.port, get("/flags/cn/us.gif")).starts_with("HTTP/1.1 404"));
  BOOST_TEST(ask(s.port, get("/")).starts_with("HTTP/1.1 404"));
  BOOST_TEST(ask(s.port, "DELETE /flags/cn/cn.gif HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                 .starts_with("HTTP/1.1 405"));
}

BOOST_AUTO_TEST_CASE(head_gets_the_header_alone_and_the_connection_goes_on) {
  server s;
  // The 405 answer to a HEAD once carried a body, which a keep-alive client reads as
  // the start of the next response (fuzz/flags_request_fuzzer.cpp checks it too).
  const std::string answers =
      ask(s.port, "HEAD /flags/cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n" + get("/flags/de/de.gif"));
  BOOST_TEST(answers.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), answers);
  BOOST_TEST(answers.find("Content-Length: 9\r\n\r\nHTTP/1.1 200 OK\r\n") != std::string::npos,
             answers);
  BOOST_TEST(answers.ends_with(flags::flag_gif("de")));
}

BOOST_AUTO_TEST_CASE(keep_alive_answers_several_requests_on_one_connection) {
  server s;
  const std::string keep = "GET /flags/us/us.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const std::string answers = ask(s.port, keep + keep + get("/flags/fr/fr.gif"));
  BOOST_TEST(count_of(answers, "HTTP/1.1 200 OK\r\n") == 3u, answers.size());
  const auto stopped = s.stop();
  BOOST_TEST(stopped.out.find("served 3 requests on 1 connections") != std::string::npos,
             stopped.out);
}

BOOST_AUTO_TEST_CASE(clients_that_vanish_do_not_hurt_the_server) {
  server s({"--delay", "0.2"});
  close(connect_to(s.port)); // connects and leaves
  {
    const int fd = connect_to(s.port); // half a request, then gone
    send_text(fd, "GET /flags/cn/cn.g");
    close(fd);
  }
  for (int i = 0; i < 5; ++i) { // leaves while its answer is being prepared
    const int fd = connect_to(s.port);
    send_text(fd, get("/flags/cn/cn.gif"));
    close(fd);
  }
  std::this_thread::sleep_for(400ms); // their answers are written to closed sockets
  BOOST_TEST(ask(s.port, get("/flags/jp/jp.gif")).starts_with("HTTP/1.1 200 OK"));
  const auto stopped = s.stop();
  BOOST_TEST(stopped.exit_code == stopped_by_sigterm, stopped.err);
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_the_idle_timeout) {
  server s({"--idle-timeout", "0.3"});
  const auto start = std::chrono::steady_clock::now();
  const std::string nothing = read_until_closed(connect_to(s.port), 10s);
  const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST(nothing.empty());
  BOOST_TEST(waited.count() >= 0.3);
  BOOST_TEST(waited.count() < 9.0); // closed by the server, not by our own limit
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_are_closed_unanswered) {
  server s({"--max-connections", "1"});
  const int first = connect_to(s.port); // holds the only slot (keep-alive, idle)
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(ask(s.port, get("/flags/cn/cn.gif")).empty());
  send_text(first, get("/flags/cn/cn.gif"));
  BOOST_TEST(read_until_closed(first).starts_with("HTTP/1.1 200 OK"));
  const auto stopped = s.stop();
  BOOST_TEST(stopped.out.find("(1 turned away)") != std::string::npos, stopped.out);
}

// The first signal: corio::run() cancels main, the server closes its acceptor, answers
// the request it is working on (Connection: close) and exits 128 + signal.
BOOST_AUTO_TEST_CASE(sigterm_finishes_requests_in_flight_refuses_new_ones_then_exits_143) {
  server s({"--delay", "2"});
  const int fd = connect_to(s.port);
  send_text(fd, "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); // keep-alive
  std::this_thread::sleep_for(300ms); // read by the server, now in its 2 s delay
  s.process.signal(SIGTERM);
  // New connections are refused while the request in flight is still being answered.
  bool refused = false;
  for (int attempt = 0; attempt < 100 && !refused; ++attempt) {
    const int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(s.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    refused = connect(other, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
              errno == ECONNREFUSED;
    close(other);
    if (!refused)
      std::this_thread::sleep_for(10ms); // the signal may not have reached the loop yet
  }
  BOOST_TEST(refused);
  const std::string answer = read_until_closed(fd);
  close(fd);
  BOOST_TEST(answer.starts_with("HTTP/1.1 200 OK"), answer);
  BOOST_TEST(answer.find("Connection: close") != std::string::npos); // no more on this one
  BOOST_TEST(answer.ends_with(flags::flag_gif("br")));
  const auto stopped = s.process.wait(10s);
  BOOST_TEST(stopped.exit_code == stopped_by_sigterm, stopped.err);
  BOOST_TEST(stopped.err.find("interrupted: stopping (1 requests in flight)") != std::string::npos,
             stopped.err);
  BOOST_TEST(stopped.err.ends_with("corio-flags-server: interrupted by SIGTERM\n"), stopped.err);
  BOOST_TEST(stopped.out.find("served 1 requests on ") != std::string::npos, stopped.out);
}

BOOST_AUTO_TEST_CASE(sigint_stops_a_server_on_two_loops_with_exit_status_130) {
  server s({"--loops", "2"});
  BOOST_TEST(ask(s.port, get("/flags/cn/cn.gif")).starts_with("HTTP/1.1 200 OK"));
  s.process.signal(SIGINT);
  const auto stopped = s.process.wait(10s);
  BOOST_TEST(stopped.exit_code == 130, stopped.err);
  BOOST_TEST(stopped.err.ends_with("corio-flags-server: interrupted by SIGINT\n"), stopped.err);
}

// A second signal while the first one's drain waits for a slow request ends the server
// at once, with corio's message and 128 + signal, without the request's answer.
BOOST_AUTO_TEST_CASE(a_second_signal_during_the_drain_ends_the_server_at_once) {
  server s({"--delay", "30", "--grace", "60"});
  const int fd = connect_to(s.port);
  send_text(fd, get("/flags/br/br.gif"));
  std::this_thread::sleep_for(300ms);
  s.process.signal(SIGINT);
  std::this_thread::sleep_for(300ms); // the drain now waits up to 30 s for the request
  const auto start = std::chrono::steady_clock::now();
  s.process.signal(SIGINT);
  const auto stopped = s.process.wait(20s);
  const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST(!stopped.timed_out);
  BOOST_TEST(waited.count() < 20.0); // not the 30 s delay
  BOOST_TEST(stopped.exit_code == 130, stopped.err);
  BOOST_TEST(stopped.err.find("interrupted: stopping (1 requests in flight)") != std::string::npos,
             stopped.err);
  BOOST_TEST(stopped.err.ends_with("corio: second SIGINT during shutdown; exiting at once\n"),
             stopped.err);
  BOOST_TEST(read_until_closed(fd, 5s).empty()); // the answer never came
  close(fd);
}

BOOST_AUTO_TEST_CASE(soak_clients_come_and_go_without_errors) {
  server s;
  const auto result =
      run_process({CORIO_APP_FLAGS_SOAK_PATH, "--server", s.url, "--clients", "20", "--seconds",
                   "1", "--ramp", "0.1", "--pause", "0.01", "--disconnect-rate", "0.2"},
                  30s);
  BOOST_TEST(result.exit_code == 0, result.err);
  static const std::regex summary("requests ([0-9]+) ok \\([0-9]+/s\\), 0 errors\n");
  std::smatch match;
  BOOST_TEST_REQUIRE(std::regex_search(result.out, match, summary), result.out);
  BOOST_TEST(std::stoi(match[1]) > 20, result.out);
  BOOST_TEST(std::regex_search(result.out, std::regex("disconnects [1-9][0-9]*: ")), result.out);
  const auto stopped = s.stop();
  BOOST_TEST(stopped.exit_code == stopped_by_sigterm, stopped.err);
}

BOOST_AUTO_TEST_CASE(soak_bad_options_exit_2_help_exits_0_and_no_server_exits_1) {
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--clients", "0"},
                                                               {"--seconds", "-1"},
                                                               {"--disconnect-rate", "2"},
                                                               {"--timeout", "0"},
                                                               {"--server", "ftp://x/"},
                                                               {"--no-such-option"}}) {
    const auto result = run_process(corio::test::command(CORIO_APP_FLAGS_SOAK_PATH, bad));
    BOOST_TEST(result.exit_code == 2, bad[0]);
    BOOST_TEST(!result.err.empty(), bad[0]);
  }
  const auto help = run_process({CORIO_APP_FLAGS_SOAK_PATH, "--help"});
  BOOST_TEST(help.exit_code == 0);
  for (const char* option : {"--server", "--clients", "--seconds", "--ramp", "--pause",
                             "--disconnect-rate", "--timeout", "--seed"})
    BOOST_TEST(help.out.find(option) != std::string::npos, option);
  std::string url;
  {
    server gone;
    url = gone.url;
    BOOST_TEST(gone.stop().exit_code == stopped_by_sigterm);
  }
  const auto unreachable = run_process({CORIO_APP_FLAGS_SOAK_PATH, "--server", url});
  BOOST_TEST(unreachable.exit_code == 1);
  BOOST_TEST(unreachable.err.find("cannot reach the server at " + url) != std::string::npos,
             unreachable.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cpu_app_test)

BOOST_AUTO_TEST_CASE(every_mode_reports_a_sorted_result_and_a_speed_up) {
  const auto result = run_process({CORIO_APP_CPU_PATH, "--size", "20000", "--jobs", "2"});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.starts_with("sorting 20,000 random doubles, 2 jobs, "), result.out);
  for (const char* mode : {"sequential", "coroutines", "threads", "to_thread", "loops"}) {
    const std::regex line(std::string("\n") + mode + " +[0-9.]+s  x[0-9.]+  sorted");
    BOOST_TEST(std::regex_search(result.out, line), mode << " in:\n" << result.out);
  }
}

BOOST_AUTO_TEST_CASE(one_mode_runs_after_the_sequential_baseline) {
  const auto result = run_process({CORIO_APP_CPU_PATH, "--mode", "threads", "--size", "1000"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(count_of(result.out, "sorted") == 2u, result.out);
  BOOST_TEST(result.out.find("\nsequential ") != std::string::npos);
  BOOST_TEST(result.out.find("\nthreads ") != std::string::npos);
  BOOST_TEST(result.out.find("coroutines") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_options_exit_2) {
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--mode", "fibers"}, {"--size", "0"}, {"--jobs", "0"}, {"--size", "many"}}) {
    const auto result = run_process(corio::test::command(CORIO_APP_CPU_PATH, bad));
    BOOST_TEST(result.exit_code == 2, bad[0]);
    BOOST_TEST(!result.err.empty());
  }
}

BOOST_AUTO_TEST_SUITE_END()
