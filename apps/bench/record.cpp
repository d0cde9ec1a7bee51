// apps/bench/record.cpp - a measurement's record as one line of JSON (written by the
// child, read back by the parent, written again to --json FILE), and the small
// statistics every family needs.
#include "bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace bench {

record& record::put(const std::string& key, value v) {
  for (auto& [name, old] : fields_)
    if (name == key) {
      old = std::move(v);
      return *this;
    }
  fields_.emplace_back(key, std::move(v));
  return *this;
}

record& record::set(const std::string& key, double number) {
  return put(key, number);
}

record& record::set(const std::string& key, std::string text) {
  return put(key, std::move(text));
}

const record::value* record::find(std::string_view key) const {
  for (const auto& [name, value] : fields_)
    if (name == key)
      return &value;
  return nullptr;
}

bool record::has(std::string_view key) const {
  return find(key) != nullptr;
}

double record::number(std::string_view key, double fallback) const {
  const value* found = find(key);
  return found != nullptr && std::holds_alternative<double>(*found) ? std::get<double>(*found)
                                                                    : fallback;
}

std::string record::text(std::string_view key) const {
  const value* found = find(key);
  return found != nullptr && std::holds_alternative<std::string>(*found)
             ? std::get<std::string>(*found)
             : std::string();
}

std::vector<std::string> record::number_keys() const {
  std::vector<std::string> keys;
  for (const auto& [name, value] : fields_)
    if (std::holds_alternative<double>(value))
      keys.push_back(name);
  return keys;
}

namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    else
      out += c;
  }
  return out + '"';
}

// A cursor over one line of JSON; each read_* skips the white space before it.
struct json_reader {
  std::string_view rest;
  std::string error;

  bool fail(std::string_view what) {
    if (error.empty())
      error = fmt::format("{} at '{}'", what, rest.substr(0, 20));
    return false;
  }
  void skip_space() {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
      rest.remove_prefix(1);
  }
  bool take(char c) {
    skip_space();
    if (rest.empty() || rest.front() != c)
      return false;
    rest.remove_prefix(1);
    return true;
  }
  bool read_string(std::string& out) {
    if (!take('"'))
      return fail("expected a string");
    while (!rest.empty() && rest.front() != '"') {
      char c = rest.front();
      rest.remove_prefix(1);
      if (c == '\\') {
        if (rest.empty())
          return fail("unterminated escape");
        c = rest.front();
        rest.remove_prefix(1);
        if (c == 'u') {
          unsigned code = 0;
          const auto [end, ec] = std::from_chars(rest.data(), rest.data() + 4, code, 16);
          if (rest.size() < 4 || ec != std::errc() || end != rest.data() + 4 || code > 0x7f)
            return fail("unsupported \\u escape");
          c = static_cast<char>(code);
          rest.remove_prefix(4);
        } else if (c != '"' && c != '\\' && c != '/') {
          return fail("unsupported escape");
        }
      }
      out += c;
    }
    return take('"') || fail("unterminated string");
  }
  bool read_number(double& out) {
    skip_space();
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), out);
    if (ec != std::errc())
      return fail("expected a number");
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    return true;
  }
};

} // namespace

std::string record::json() const {
  std::string out = "{";
  for (const auto& [name, value] : fields_) {
    if (out.size() > 1)
      out += ", ";
    out += json_string(name) + ": ";
    if (std::holds_alternative<std::string>(value))
      out += json_string(std::get<std::string>(value));
    else if (std::isfinite(std::get<double>(value)))
      out += fmt::format("{}", std::get<double>(value));
    else
      out += "null";
  }
  return out + "}";
}

std::optional<record> record::parse(std::string_view line, std::string& error) {
  json_reader in{line, {}};
  record result;
  bool ok = in.take('{') || in.fail("expected '{'");
  for (bool first = true; ok && !in.take('}'); first = false) {
    std::string key;
    ok = (first || in.take(',') || in.fail("expected ','")) && in.read_string(key) &&
         (in.take(':') || in.fail("expected ':'"));
    if (!ok)
      break;
    in.skip_space();
    if (in.rest.starts_with('"')) {
      std::string text;
      ok = in.read_string(text);
      result.set(key, std::move(text));
    } else if (in.rest.starts_with("null")) {
      in.rest.remove_prefix(4);
    } else {
      double number = 0;
      ok = in.read_number(number);
      result.set(key, number);
    }
  }
  in.skip_space();
  if (ok && !in.rest.empty())
    ok = in.fail("unexpected text after the object");
  if (!ok) {
    error = in.error;
    return std::nullopt;
  }
  return result;
}

record make_record(const child_args& args, double wall_s, double per_op_ns,
                   std::string_view variant) {
  record r;
  r.set("workload", args.workload);
  r.set("variant", std::string(variant.empty() ? std::string_view(args.variant) : variant));
  r.set("impl", args.impl);
  r.set("n", static_cast<double>(args.n));
  r.set("wall_s", wall_s);
  r.set("per_op_ns", per_op_ns);
  return r;
}

void check_result(const child_args& args, std::uint64_t got, std::uint64_t expected) {
  if (got != expected)
    throw std::runtime_error(fmt::format("{} {}: the run returned {} instead of {}", args.workload,
                                         args.impl, got, expected));
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
  return values[std::min(at, values.size() - 1)];
}

} // namespace bench
