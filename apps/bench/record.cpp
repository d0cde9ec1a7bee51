// apps/bench/record.cpp - a measurement's record as one line of JSON (written by the
// child, read back by the parent, written again to --json FILE; nlohmann::json does
// the JSON), and the small statistics every family needs.
#include "bench.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

bool is_whole(double number) {
  constexpr double exact_limit = 9007199254740992.0; // 2^53: every integer below is exact
  return std::isfinite(number) && std::abs(number) < exact_limit && std::floor(number) == number;
}

} // namespace

std::string record::json() const {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, value] : fields_) {
    if (const auto* text = std::get_if<std::string>(&value))
      object[name] = *text;
    else if (const double number = std::get<double>(value); is_whole(number))
      object[name] = static_cast<std::int64_t>(number); // "n": 1000, not 1000.0
    else if (std::isfinite(number))
      object[name] = number;
    else
      object[name] = nullptr; // JSON has no NaN or infinity
  }
  return object.dump();
}

std::optional<record> record::parse(std::string_view line, std::string& error) {
  const auto object = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    error = fmt::format("not a JSON object: '{}'", line.substr(0, 40));
    return std::nullopt;
  }
  record result;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) {
      result.set(key, value.get<std::string>());
    } else if (value.is_number()) {
      result.set(key, value.get<double>());
    } else if (!value.is_null()) { // null: a number that was not finite
      error = fmt::format("'{}' is neither a number nor a string", key);
      return std::nullopt;
    }
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

std::size_t number_after(std::string_view impl, std::string_view prefix) {
  if (!impl.starts_with(prefix))
    return 0;
  const std::string digits(impl.substr(prefix.size()));
  return digits.find_first_not_of("0123456789") == std::string::npos && !digits.empty()
             ? std::stoul(digits)
             : 0;
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
  return values[std::min(at, values.size() - 1)];
}

} // namespace bench
