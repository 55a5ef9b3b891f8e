// GoQuote / GoUnquote / QuoteMeta / UTF-8 helpers. Expected values are strconv.Quote and
// strconv.Unquote outputs of Go 1.19.8, the Go that built Debian's Alertmanager 0.25.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/strings.h"

namespace am {
namespace {

TEST(GoQuote, AsciiAndEscapes) {
  EXPECT_EQ(GoQuote(""), R"("")");
  EXPECT_EQ(GoQuote("plain"), R"("plain")");
  EXPECT_EQ(GoQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(GoQuote("\a\b\f\n\r\t\v"), R"("\a\b\f\n\r\t\v")");
  EXPECT_EQ(GoQuote(std::string("\x00\x01\x1f\x7f", 4)), R"("\x00\x01\x1f\x7f")");
}

TEST(GoQuote, InvalidUtf8BytesAreHexEscaped) {
  EXPECT_EQ(GoQuote("\xff"), R"("\xff")");
  EXPECT_EQ(GoQuote("a\xc3"), R"("a\xc3")");
  EXPECT_EQ(GoQuote("\xed\xa0\x80"), R"("\xed\xa0\x80")");          // an encoded surrogate
  EXPECT_EQ(GoQuote("\xc0\x80"), R"("\xc0\x80")");                  // overlong NUL
  EXPECT_EQ(GoQuote("\xf4\x90\x80\x80"), R"("\xf4\x90\x80\x80")");  // above U+10FFFF
}

TEST(GoQuote, PrintableUnicodeIsKept) {
  EXPECT_EQ(GoQuote("é日本🙂"), "\"é日本🙂\"");
  EXPECT_EQ(GoQuote("\U0001F642\U0001F525"), "\"🙂🔥\"");
  EXPECT_EQ(GoQuote("\uFFFD"), "\"\uFFFD\"");    // a real U+FFFD is printable
  EXPECT_EQ(GoQuote("e\u0301"), "\"e\u0301\"");  // combining mark
}

TEST(GoQuote, NonPrintableUnicodeIsEscaped) {
  EXPECT_EQ(GoQuote("\u00a0"), R"("\u00a0")");
  EXPECT_EQ(GoQuote("\u00ad"), R"("\u00ad")");
  EXPECT_EQ(GoQuote("\u0085"), R"("\u0085")");
  EXPECT_EQ(GoQuote("\u200b"), R"("\u200b")");
  EXPECT_EQ(GoQuote("\u2028"), R"("\u2028")");
  EXPECT_EQ(GoQuote("\u3000"), R"("\u3000")");
  EXPECT_EQ(GoQuote("\ue000"), R"("\ue000")");
  EXPECT_EQ(GoQuote("\ufeff"), R"("\ufeff")");
  EXPECT_EQ(GoQuote("\U0010ffff"), R"("\U0010ffff")");
  EXPECT_EQ(GoQuote("\U000e0001"), R"("\U000e0001")");
  // Unassigned in Go 1.19's Unicode 13 tables: not printable, hence escaped.
  EXPECT_EQ(GoQuote("\u0378"), R"("\u0378")");
}

TEST(GoUnquote, Escapes) {
  EXPECT_EQ(GoUnquote(R"("abc")"), "abc");
  EXPECT_EQ(GoUnquote(R"("")"), "");
  EXPECT_EQ(GoUnquote(R"("\x41\101\u00e9\U0001F642")"), "AAé🙂");
  EXPECT_EQ(GoUnquote(R"("\a\b\f\n\r\t\v\\\"")"), "\a\b\f\n\r\t\v\\\"");
  EXPECT_EQ(GoUnquote(R"("\xff")"), "\xff");  // escapes may produce any byte
}

TEST(GoUnquote, RawInvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(GoUnquote("\"a\xff"
                      "b\""),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(GoUnquote("\"\xc3\""), "\xef\xbf\xbd");
  EXPECT_EQ(GoUnquote("\"é\""), "é");
}

TEST(GoUnquote, InvalidSyntax) {
  for (const char* q : {R"("\'")", R"("\xZZ")", R"("\ud800")", R"("\U00110000")", R"("\400")",
                        R"("\18")", "\"a\nb\"", R"("a"b")", R"("abc)", R"(abc")", R"(")", R"("\")",
                        R"("\q")", R"("\x4")", R"("\u00e")", "", "'a'"}) {
    SCOPED_TRACE(q);
    try {
      GoUnquote(q);
      ADD_FAILURE() << "accepted";
    } catch (const ParseError& e) {
      EXPECT_STREQ(e.what(), "invalid syntax");
    }
  }
}

TEST(GoUnquote, RoundTripsGoQuote) {
  for (std::string s :
       {std::string("plain"), std::string("\x01\x7f\"\\\n"), std::string("\xff\xfe"),
        std::string("é\u00a0\u200b🙂"), std::string("\0x", 2)}) {
    SCOPED_TRACE(GoQuote(s));
    EXPECT_EQ(GoUnquote(GoQuote(s)), s);
  }
}

TEST(Utf8, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("aé日🙂"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
}

TEST(Utf8, DecodeRuneAtFollowsGo) {
  char32_t r;
  EXPECT_EQ(DecodeRuneAt("a", 0, &r), 1u);
  EXPECT_EQ(r, U'a');
  EXPECT_EQ(DecodeRuneAt("🙂", 0, &r), 4u);
  EXPECT_EQ(r, U'🙂');
  EXPECT_EQ(DecodeRuneAt("\xe6\x97", 0, &r), 1u);  // truncated: U+FFFD, width 1
  EXPECT_EQ(r, 0xFFFDu);
  EXPECT_EQ(DecodeRuneAt("x\xff", 1, &r), 1u);
  EXPECT_EQ(r, 0xFFFDu);
  std::string out;
  AppendUtf8Rune(&out, U'é');
  AppendUtf8Rune(&out, 0xD800);  // not encodable: U+FFFD
  EXPECT_EQ(out, "é\xef\xbf\xbd");
}

TEST(Utf8, IsGoSpaceMatchesUnicodeIsSpace) {
  for (char32_t r : {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', char32_t{0x85}, char32_t{0xA0},
                     char32_t{0x1680}, char32_t{0x2000}, char32_t{0x200A}, char32_t{0x2028},
                     char32_t{0x2029}, char32_t{0x202F}, char32_t{0x205F}, char32_t{0x3000}}) {
    EXPECT_TRUE(IsGoSpace(r)) << static_cast<uint32_t>(r);
  }
  for (char32_t r :
       {U'a', U'\0', char32_t{0x1C}, char32_t{0x200B}, char32_t{0xFEFF}, char32_t{0x180E}}) {
    EXPECT_FALSE(IsGoSpace(r)) << static_cast<uint32_t>(r);
  }
}

TEST(QuoteMeta, EscapesRegexMetacharacters) {
  EXPECT_EQ(QuoteMeta("a.b*c+d?e(f)g|h[i]j{k}l^m$n\\o"),
            "a\\.b\\*c\\+d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o");
  EXPECT_EQ(QuoteMeta("plain-text_é"), "plain-text_é");
}

}  // namespace
}  // namespace am
