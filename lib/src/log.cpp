#include <corio/log.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

namespace corio {

namespace {

std::shared_ptr<spdlog::logger> make_logger() {
  if (auto existing = spdlog::get("corio"))
    return existing; // the application configured it first
  auto created = spdlog::stderr_color_mt("corio");
  spdlog::level::level_enum level = spdlog::level::warn;
  if (const char* from_environment = std::getenv("CORIO_LOG"))
    level = spdlog::level::from_str(from_environment);
  created->set_level(level);
  created->set_pattern("[%H:%M:%S.%e] [corio] [%l] %v");
  return created;
}

} // namespace

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = make_logger();
  return *instance;
}

} // namespace corio
