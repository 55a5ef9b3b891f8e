#include "notify/go_json.h"

#include <gtest/gtest.h>

namespace am::notify {
namespace {

std::string Enc(std::string_view s) {
  std::string out;
  AppendGoJsonString(&out, s);
  return out;
}

TEST(GoJson, PlainAsciiIsKept) { EXPECT_EQ(Enc("abc XYZ 09 ~"), "\"abc XYZ 09 ~\""); }

TEST(GoJson, HtmlCharactersAreEscapedAsEncoderDoes) {
  EXPECT_EQ(Enc("<a href='x'>&</a>"), "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\"");
}

TEST(GoJson, QuoteAndBackslash) { EXPECT_EQ(Enc("a\"b\\c"), "\"a\\\"b\\\\c\""); }

TEST(GoJson, ControlBytes) {
  // Go 1.19 writes \n \r \t short and every other byte below 0x20 as \u00XX (lower-case hex),
  // including \b and \f.
  EXPECT_EQ(Enc("\n\r\t\b\f\x01\x1f"), "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\"");
}

TEST(GoJson, DelIsKept) { EXPECT_EQ(Enc("\x7f"), "\"\x7f\""); }

TEST(GoJson, LineAndParagraphSeparatorsAreEscaped) {
  EXPECT_EQ(Enc("a\u2028b\u2029c"), "\"a\\u2028b\\u2029c\"");
}

TEST(GoJson, ValidUtf8IsKeptRaw) { EXPECT_EQ(Enc("é 🔥 \uFFFD"), "\"é 🔥 \uFFFD\""); }

TEST(GoJson, InvalidUtf8BecomesReplacementEscape) {
  EXPECT_EQ(Enc("a\xff"
                "b\xc3"),
            "\"a\\ufffdb\\ufffd\"");
  // A truncated 3-byte sequence is replaced byte by byte.
  EXPECT_EQ(Enc("\xe2\x82"), "\"\\ufffd\\ufffd\"");
}

TEST(GoJson, StringMapSortedAndEmpty) {
  std::string out;
  AppendGoJsonStringMap(&out, LabelSet{});
  EXPECT_EQ(out, "{}");
  out.clear();
  AppendGoJsonStringMap(&out, LabelSet{{"b", "2"}, {"a", "<1>"}});
  EXPECT_EQ(out, "{\"a\":\"\\u003c1\\u003e\",\"b\":\"2\"}");
}

}  // namespace
}  // namespace am::notify
