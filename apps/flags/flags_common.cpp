#include "flags_common.hpp"

#include <fmt/format.h>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace flags {

namespace {

// ISO 3166-1 alpha-2, officially assigned codes, sorted.
constexpr std::string_view iso_text =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";
constexpr std::size_t iso_count = 249;
static_assert(iso_text.size() == iso_count * 3 - 1);

template <std::size_t N>
constexpr std::array<std::string_view, N> split_codes(std::string_view text) {
  std::array<std::string_view, N> codes{};
  for (std::size_t i = 0; i < N; ++i)
    codes[i] = text.substr(i * 3, 2);
  return codes;
}

constexpr auto iso_array = split_codes<iso_count>(iso_text);
static_assert(std::is_sorted(iso_array.begin(), iso_array.end()));

constexpr auto populous_array =
    split_codes<20>("CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR");

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

// GIF's variable-length codes, packed least significant bit first into sub-blocks.
class lzw_writer {
public:
  void put(unsigned code, unsigned width) {
    bits_ |= static_cast<std::uint32_t>(code) << count_;
    count_ += width;
    while (count_ >= 8) {
      bytes_.push_back(static_cast<char>(bits_ & 0xff));
      bits_ >>= 8;
      count_ -= 8;
    }
  }
  // Flushes the last partial byte and frames the data as sub-blocks of <= 255 bytes.
  std::string finish() {
    if (count_ > 0)
      bytes_.push_back(static_cast<char>(bits_ & 0xff));
    std::string framed;
    for (std::size_t at = 0; at < bytes_.size(); at += 255) {
      const std::size_t n = std::min<std::size_t>(255, bytes_.size() - at);
      framed.push_back(static_cast<char>(n));
      framed.append(bytes_, at, n);
    }
    framed.push_back('\0');
    return framed;
  }

private:
  std::string bytes_;
  std::uint32_t bits_ = 0;
  unsigned count_ = 0;
};

void put_u16(std::string& out, unsigned value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>((value >> 8) & 0xff));
}

} // namespace

std::span<const std::string_view> populous_codes() {
  return populous_array;
}
std::span<const std::string_view> iso_codes() {
  return iso_array;
}

std::vector<std::string> every_pair() {
  std::vector<std::string> pairs;
  for (char a = 'A'; a <= 'Z'; ++a)
    for (char b = 'A'; b <= 'Z'; ++b)
      pairs.push_back({a, b});
  return pairs;
}

bool is_iso_code(std::string_view code) {
  return code.size() == 2 && std::binary_search(iso_array.begin(), iso_array.end(), upper(code));
}

std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string digest_hex(std::string_view data) {
  return fmt::format("{:016x}", fnv1a64(data));
}

// Three stripes (horizontal or vertical) in colours 1..3 of a four-colour palette, all
// picked from the code's hash. The LZW stream stays uncompressed-width: a clear code
// before every two pixels keeps the dictionary below 8 entries, so every code is 3 bits
// (a standard trick; any GIF decoder reads it).
std::string flag_gif(std::string_view code) {
  const std::uint64_t hash = fnv1a64(lower(code));
  const unsigned width = 30 + static_cast<unsigned>(hash % 30);
  const unsigned height = 20 + static_cast<unsigned>((hash >> 8) % 20);
  const bool vertical = ((hash >> 16) & 1) != 0;

  std::string gif = "GIF89a";
  put_u16(gif, width);
  put_u16(gif, height);
  gif += "\x91";               // global colour table of 4 entries, 2 bits of colour resolution
  gif.push_back('\0');         // background colour index
  gif.push_back('\0');         // no aspect ratio
  for (int i = 0; i < 12; ++i) // palette: 4 RGB triples from the hash
    gif.push_back(static_cast<char>((hash >> (17 + 3 * i)) * 37 + static_cast<unsigned>(i) * 91));
  gif.push_back(',');
  put_u16(gif, 0);
  put_u16(gif, 0);
  put_u16(gif, width);
  put_u16(gif, height);
  gif.push_back('\0');   // no local colour table, not interlaced
  gif.push_back('\x02'); // LZW minimum code size: 2 bits per pixel

  constexpr unsigned clear = 4, end = 5, code_width = 3;
  lzw_writer lzw;
  for (unsigned y = 0; y < height; ++y)
    for (unsigned x = 0; x < width; ++x) {
      const unsigned pixel = (y * width + x);
      if (pixel % 2 == 0)
        lzw.put(clear, code_width);
      const unsigned stripe = vertical ? x * 3 / width : y * 3 / height;
      lzw.put(1 + stripe, code_width);
    }
  lzw.put(end, code_width);
  gif += lzw.finish();
  gif.push_back(';'); // trailer
  return gif;
}

std::string file_name(std::string_view code) {
  return lower(code) + ".gif";
}

std::string server_url::target_of(std::string_view code) const {
  return fmt::format("{}/{}/{}", prefix, lower(code), file_name(code));
}

std::string server_url::text() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, prefix);
}

void raise_open_file_limit(std::string_view program) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0)
    fmt::print(stderr, "{}: raised the open-file limit from {} to {}\n", program, before,
               limit.rlim_max);
}

} // namespace flags
