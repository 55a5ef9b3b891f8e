// Matcher semantics: matching, regex anchoring and errors, printing, sorting, modes. Regex error
// texts were taken from Go 1.19.8's regexp (labels.NewMatcher of Alertmanager 0.25) on the same
// values; the golden table of both parsers is in matcher_golden_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/labels.h"
#include "core/matcher.h"

namespace am {
namespace {

std::string RegexError(const std::string& value) {
  try {
    Matcher::Create(MatchType::kRegexp, "x", value);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Matcher, EqualAndNotEqual) {
  Matcher eq = Matcher::Create(MatchType::kEqual, "team", "ops");
  EXPECT_TRUE(eq.Matches("ops"));
  EXPECT_FALSE(eq.Matches("Ops"));
  EXPECT_FALSE(eq.Matches("ops "));
  EXPECT_FALSE(eq.Matches(""));
  Matcher ne = Matcher::Create(MatchType::kNotEqual, "team", "ops");
  EXPECT_FALSE(ne.Matches("ops"));
  EXPECT_TRUE(ne.Matches(""));
  EXPECT_TRUE(ne.Matches("dev"));
}

TEST(Matcher, EqualityValueIsNotARegex) {
  // "(a" is not compiled for = and !=, so it is not an error.
  Matcher m = Matcher::Create(MatchType::kEqual, "x", "(a");
  EXPECT_TRUE(m.Matches("(a"));
  EXPECT_FALSE(Matcher::Create(MatchType::kNotEqual, "x", "a.*").Matches("a.*"));
}

TEST(Matcher, RegexIsFullyAnchored) {
  Matcher m = Matcher::Create(MatchType::kRegexp, "x", "b");
  EXPECT_TRUE(m.Matches("b"));
  EXPECT_FALSE(m.Matches("ab"));
  EXPECT_FALSE(m.Matches("ba"));
  // The anchors wrap the whole alternation, not its first branch.
  Matcher alt = Matcher::Create(MatchType::kRegexp, "x", "a|b");
  EXPECT_TRUE(alt.Matches("a"));
  EXPECT_TRUE(alt.Matches("b"));
  EXPECT_FALSE(alt.Matches("ab"));
  Matcher sev = Matcher::Create(MatchType::kRegexp, "severity", "critical|warning");
  EXPECT_TRUE(sev.Matches("warning"));
  EXPECT_FALSE(sev.Matches("warnings"));
  EXPECT_FALSE(sev.Matches("non-critical"));
}

TEST(Matcher, NotRegexIsTheNegation) {
  Matcher m = Matcher::Create(MatchType::kNotRegexp, "x", "a+");
  EXPECT_FALSE(m.Matches("aaa"));
  EXPECT_TRUE(m.Matches("aab"));
  EXPECT_TRUE(m.Matches(""));
}

TEST(Matcher, RegexSyntaxLikeGo) {
  EXPECT_FALSE(Matcher::Create(MatchType::kRegexp, "x", ".").Matches("\n"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "(?s).").Matches("\n"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "(?i)abc").Matches("AbC"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "\\d+").Matches("123"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "\\pL+").Matches("héllo"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "[[:alpha:]]+").Matches("abc"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "\\x{1F642}").Matches("🙂"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", ".").Matches("🙂"));  // one rune
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "").Matches(""));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "(?P<n>a)(?P<n>b)").Matches("ab"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "\\Q.*\\E").Matches(".*"));
  EXPECT_FALSE(Matcher::Create(MatchType::kRegexp, "x", "\\Q.*\\E").Matches("ab"));
}

TEST(Matcher, RegexMatchesInvalidUtf8AsGoDoes) {
  // Go reads each invalid byte as U+FFFD: "." and negated classes match it.
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", ".").Matches("\xff"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "[^a]").Matches("\xff"));
  EXPECT_TRUE(Matcher::Create(MatchType::kRegexp, "x", "a.b")
                  .Matches("a\xc3"
                           "b"));
  EXPECT_FALSE(Matcher::Create(MatchType::kRegexp, "x", "..").Matches("\xff"));
  EXPECT_TRUE(Matcher::Create(MatchType::kNotRegexp, "x", "a").Matches("\xff"));
}

TEST(Matcher, RegexErrorsReadAsGo) {
  EXPECT_EQ(RegexError("(a"), "error parsing regexp: missing closing ): `^(?:(a)$`");
  EXPECT_EQ(RegexError("a)"), "error parsing regexp: unexpected ): `^(?:a))$`");
  EXPECT_EQ(RegexError("a**"), "error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(RegexError("\\"), "error parsing regexp: missing closing ): `^(?:\\)$`");
  EXPECT_EQ(RegexError("x{2,1}"), "error parsing regexp: invalid repeat count: `{2,1}`");
  EXPECT_EQ(RegexError("x{1001}"), "error parsing regexp: invalid repeat count: `{1001}`");
  EXPECT_EQ(RegexError("[z-a]"), "error parsing regexp: invalid character class range: `z-a`");
  EXPECT_EQ(RegexError("\\p{Foo}"),
            "error parsing regexp: invalid character class range: `\\p{Foo}`");
  EXPECT_EQ(RegexError("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`");
  EXPECT_EQ(RegexError("(?<n>a)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?<`");
  EXPECT_EQ(RegexError("(?=a)"), "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
  EXPECT_EQ(RegexError("*"), "error parsing regexp: missing argument to repetition operator: `*`");
  EXPECT_EQ(RegexError("\\8"), "error parsing regexp: invalid escape sequence: `\\8`");
  EXPECT_EQ(RegexError("\\1"), "error parsing regexp: invalid escape sequence: `\\1`");
  EXPECT_EQ(RegexError("\\Z"), "error parsing regexp: invalid escape sequence: `\\Z`");
  EXPECT_EQ(RegexError("[a"), "error parsing regexp: missing closing ]: `[a)$`");
  EXPECT_EQ(RegexError("invalid[regexp"), "error parsing regexp: missing closing ]: `[regexp)$`");
  EXPECT_EQ(RegexError("^\xff"), "error parsing regexp: invalid UTF-8: `\xff)$`");
}

TEST(Matcher, AnyByteEscapeIsRejectedAsInGo) {
  // RE2 knows \C; Go does not. Go reports it unless an earlier error stops the parse first.
  EXPECT_EQ(RegexError("\\C"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(RegexError("[\\C]"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(RegexError("(\\C"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(RegexError("\\C\xff"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(RegexError("\\Q\\\\E\\C"), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_EQ(RegexError("a**\\C"), "error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(RegexError("\\\\C"), "no error");      // an escaped backslash, then C
  EXPECT_EQ(RegexError("\\Q\\C\\E"), "no error");  // literal text
}

TEST(Matcher, StringUsesOpenMetricsEscaping) {
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "foo", "bar").String(), "foo=\"bar\"");
  EXPECT_EQ(Matcher::Create(MatchType::kNotEqual, "foo", "").String(), "foo!=\"\"");
  EXPECT_EQ(Matcher::Create(MatchType::kRegexp, "foo", "a|b").String(), "foo=~\"a|b\"");
  EXPECT_EQ(Matcher::Create(MatchType::kNotRegexp, "foo", "\\d+").String(), "foo!~\"\\\\d+\"");
  // Only backslash, newline and double quote are escaped: a tab or unicode stays raw (this is
  // what goes into group keys, compared byte for byte with Go peers).
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "v", "a\"b\\c\nd\te\x01\xf0\x9f\x99\x82").String(),
            "v=\"a\\\"b\\\\c\\nd\te\x01\xf0\x9f\x99\x82\"");
}

TEST(Matcher, StringEqualsTheDaemonsRouteKey) {
  // Captured from Debian's Alertmanager 0.25: a child route with
  //   matchers: ["team=\"a\tb\\\\c\\n\\\"é\u00a0\"", "x=~\"1|2\""]   (YAML double-quoted)
  // notified a webhook with groupKey
  //   {}/{team="a<TAB>b\\c\n\"é<NBSP>",x=~"1|2"}:{alertname="T", team="a\tb\\c\n\"é\u00a0", x="1"}
  // The route part uses the matchers' OpenMetrics escaping, the label part strconv.Quote.
  Matchers ms = {Matcher::Create(MatchType::kEqual, "team", "a\tb\\c\n\"é\u00a0"),
                 Matcher::Create(MatchType::kRegexp, "x", "1|2")};
  EXPECT_EQ(MatchersString(ms), "{team=\"a\tb\\\\c\\n\\\"é\u00a0\",x=~\"1|2\"}");
  EXPECT_EQ(ParseMatcher("team=\"a\tb\\\\c\\n\\\"é\u00a0\"", ParseMode::kClassic), ms[0]);
  LabelSet ls{{"alertname", "T"}, {"team", "a\tb\\c\n\"é\u00a0"}, {"x", "1"}};
  EXPECT_EQ(ls.String(), R"({alertname="T", team="a\tb\\c\n\"é\u00a0", x="1"})");
}

TEST(Matcher, StringQuotesNamesWithReservedCharacters) {
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "foo bar", "a\tb").String(),
            "\"foo bar\"=\"a\\tb\"");
  EXPECT_EQ(Matcher::Create(MatchType::kRegexp, "a,b", "x").String(), "\"a,b\"=~\"x\"");
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "a\u00a0b", "x").String(), "\"a\\u00a0b\"=\"x\"");
  // Not a classic name, but without reserved runes: printed bare, as upstream does.
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "foo.bar", "x").String(), "foo.bar=\"x\"");
  EXPECT_EQ(Matcher::Create(MatchType::kEqual, "🙂", "x").String(), "🙂=\"x\"");
}

TEST(Matcher, MatchTypeStrings) {
  EXPECT_STREQ(MatchTypeString(MatchType::kEqual), "=");
  EXPECT_STREQ(MatchTypeString(MatchType::kNotEqual), "!=");
  EXPECT_STREQ(MatchTypeString(MatchType::kRegexp), "=~");
  EXPECT_STREQ(MatchTypeString(MatchType::kNotRegexp), "!~");
}

TEST(Matcher, EqualityComparesTypeNameAndValue) {
  EXPECT_EQ(Matcher::Create(MatchType::kRegexp, "a", "b"),
            Matcher::Create(MatchType::kRegexp, "a", "b"));
  EXPECT_NE(Matcher::Create(MatchType::kRegexp, "a", "b"),
            Matcher::Create(MatchType::kEqual, "a", "b"));
  EXPECT_NE(Matcher::Create(MatchType::kEqual, "a", "b"),
            Matcher::Create(MatchType::kEqual, "a", "c"));
}

TEST(Matcher, CopiesShareTheCompiledRegex) {
  Matcher a = Matcher::Create(MatchType::kRegexp, "x", "a+");
  Matcher b = a;
  Matchers v{a, b};
  a = Matcher::Create(MatchType::kEqual, "y", "z");
  EXPECT_TRUE(b.Matches("aa"));
  EXPECT_TRUE(v[0].Matches("aaa"));
  EXPECT_FALSE(v[1].Matches("b"));
}

TEST(Matcher, ConcurrentMatchingIsSafe) {
  const Matcher m = Matcher::Create(MatchType::kRegexp, "x", "(a|b)*c[0-9]{2}");
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) hits[t] += m.Matches(i % 2 ? "ababc42" : "abx") ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  for (int h : hits) EXPECT_EQ(h, 1000);
}

TEST(Matchers, MissingLabelMatchesAsEmptyValue) {
  LabelSet ls{{"alertname", "Down"}, {"team", "ops"}};
  auto all = [&](std::string_view expr) {
    return MatchesAll(ParseMatchers(expr, ParseMode::kUtf8Strict), ls);
  };
  EXPECT_TRUE(all("alertname=Down, team=ops"));
  EXPECT_FALSE(all("alertname=Down, team=dev"));
  EXPECT_TRUE(all("env=\"\""));
  EXPECT_FALSE(all("env!=\"\""));
  EXPECT_TRUE(all("team!=\"\""));
  EXPECT_TRUE(all("env=~\".*\""));
  EXPECT_FALSE(all("env=~\".+\""));
  EXPECT_TRUE(all("env!~\".+\""));
  EXPECT_TRUE(all(""));  // no matchers match everything
  EXPECT_TRUE(MatchesAll({}, LabelSet{}));
}

TEST(Matchers, StringJoinsWithoutSpaces) {
  EXPECT_EQ(MatchersString({}), "{}");
  Matchers ms = ParseMatchers(R"({a="1", b!~"x|y", "c d"=~"\n"})", ParseMode::kUtf8Strict);
  EXPECT_EQ(MatchersString(ms), R"({a="1",b!~"x|y","c d"=~"\n"})");
}

TEST(Matchers, SortByNameThenValueThenType) {
  Matchers ms = {
      Matcher::Create(MatchType::kNotRegexp, "b", "1"),
      Matcher::Create(MatchType::kEqual, "b", "1"),
      Matcher::Create(MatchType::kRegexp, "b", "1"),
      Matcher::Create(MatchType::kNotEqual, "b", "1"),
      Matcher::Create(MatchType::kEqual, "b", "0"),
      Matcher::Create(MatchType::kEqual, "B", "9"),
      Matcher::Create(MatchType::kEqual, "a", "z"),
  };
  SortMatchers(&ms);
  EXPECT_EQ(MatchersString(ms), R"({B="9",a="z",b="0",b="1",b!="1",b=~"1",b!~"1"})");
}

TEST(ParseMatchers, FallbackWarningNamesInputErrorAndSuggestion) {
  std::string warning;
  Matchers ms = ParseMatchers("foo=bar\\,baz=~a b", ParseMode::kFallback, &warning);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].value(), "bar\\");
  EXPECT_EQ(ms[1].value(), "a b");
  EXPECT_EQ(warning,
            "Alertmanager is moving to a new parser for labels and matchers, and this input is "
            "incompatible. Alertmanager has instead parsed the input using the classic matchers "
            "parser as a fallback. To make this input compatible with the UTF-8 matchers parser "
            "please make sure all regular expressions and values are double-quoted and "
            "backslashes are escaped. If you are still seeing this message please open an issue. "
            "input=\"foo=bar\\\\,baz=~a b\" "
            "err=\"7:8: \\\\: invalid input: expected a comma or close brace\" "
            "suggestion=\"foo=\\\"bar\\\\\\\\\\\",baz=~\\\"a b\\\"\"");
}

TEST(ParseMatchers, FallbackPrefersClassicOnDisagreement) {
  std::string warning;
  Matchers ms = ParseMatchers(R"(foo="\x41")", ParseMode::kFallback, &warning);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].value(), "\\x41");
  EXPECT_EQ(warning, R"(Matchers input has disagreement input="foo=\"\\x41\"")");
}

TEST(ParseMatchers, FallbackWithoutWarningWhenBothAgree) {
  std::string warning = "untouched";
  Matchers ms = ParseMatchers(R"({foo="bar", baz=~"a|b"})", ParseMode::kFallback, &warning);
  EXPECT_EQ(MatchersString(ms), R"({foo="bar",baz=~"a|b"})");
  EXPECT_EQ(warning, "untouched");
  // Only the UTF-8 parser accepts it: its result, silently.
  ms = ParseMatchers(R"("foo bar"="baz")", ParseMode::kFallback, &warning);
  EXPECT_EQ(ms[0].name(), "foo bar");
  EXPECT_EQ(warning, "untouched");
}

TEST(ParseMatchers, FallbackWarningIsOptional) {
  EXPECT_EQ(ParseMatchers("foo=", ParseMode::kFallback).at(0).value(), "");
  EXPECT_EQ(ParseMatcher("foo=", ParseMode::kFallback).value(), "");
}

TEST(ParseMatchers, BothFailReportsTheClassicError) {
  try {
    ParseMatchers("job=\"value", ParseMode::kFallback);
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "matcher value contains unescaped double quote: \"value");
  }
}

TEST(ParseMatcher, SingleMatcherRejectsBracesInUtf8Modes) {
  for (ParseMode mode : {ParseMode::kFallback, ParseMode::kUtf8Strict}) {
    EXPECT_THROW(ParseMatcher("{foo=bar}", mode), ParseError);
  }
  EXPECT_THROW(ParseMatcher("{foo=bar}", ParseMode::kClassic), ParseError);
  try {
    ParseMatcher("foo=bar}", ParseMode::kUtf8Strict);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "unexpected open or close brace: foo=bar}");
  }
}

TEST(ParseMatcher, ClassicSingleMatcherKeepsCommasInTheValue) {
  EXPECT_EQ(ParseMatcher("a=b,c=d", ParseMode::kClassic).value(), "b,c=d");
  EXPECT_THROW(ParseMatcher("a=b,c=d", ParseMode::kUtf8Strict), ParseError);
  std::string warning;
  EXPECT_EQ(ParseMatcher("a=b,c=d", ParseMode::kFallback, &warning).value(), "b,c=d");
  EXPECT_NE(warning.find("expected 1 matcher, found 2"), std::string::npos);
}

TEST(ParseMatchers, ClassicReplacesInvalidUtf8InLists) {
  // Upstream splits the list rune by rune and re-encodes, so \xff becomes U+FFFD ...
  Matchers ms = ParseMatchers("a=\xff", ParseMode::kClassic);
  EXPECT_EQ(ms.at(0).value(), "\xef\xbf\xbd");
  // ... while a single matcher is checked as is.
  EXPECT_THROW(ParseMatcher("a=\xff", ParseMode::kClassic), ParseError);
  try {
    ParseMatcher("a=\"\xff\"", ParseMode::kClassic);
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "matcher value not valid UTF-8: \"\xff\"");
  }
  // The UTF-8 parser keeps unquoted bytes unchanged.
  EXPECT_EQ(ParseMatchers("a=\xff", ParseMode::kUtf8Strict).at(0).value(), "\xff");
}

TEST(ParseMatchers, Utf8QuotedStringsUseGoEscapes) {
  auto value = [](std::string_view in) { return ParseMatcher(in, ParseMode::kUtf8Strict).value(); };
  EXPECT_EQ(value(R"(a="\a\b\f\n\r\t\v\\\"")"), "\a\b\f\n\r\t\v\\\"");
  EXPECT_EQ(value(R"(a="\x41\101\u00e9\U0001F642")"), "AAé🙂");
  EXPECT_EQ(value(R"(a="\xf0\x9f\x99\x82")"), "🙂");
  EXPECT_THROW(value(R"(a="\'")"), ParseError);
  EXPECT_THROW(value(R"(a="\xff")"), ParseError);  // decodes to invalid UTF-8
  EXPECT_THROW(value(R"(a="\ud800")"), ParseError);
  EXPECT_THROW(value(R"(a="\400")"), ParseError);
  EXPECT_THROW(value("a=\"x\ny\""), ParseError);  // raw newline
}

TEST(ParseMatchers, Utf8ErrorsCountRunesNotBytes) {
  try {
    ParseMatchers("é=🙂,ü", ParseMode::kUtf8Strict);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "end of input: expected an operator such as '=', '!=', '=~' or '!~'");
  }
  try {
    ParseMatchers("{é=🙂 x}", ParseMode::kUtf8Strict);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "5:6: unexpected x: expected a comma or close brace");
  }
}

TEST(ParseMode, DefaultIsFallbackAndCanBeSet) {
  EXPECT_EQ(DefaultParseMode(), ParseMode::kFallback);
  SetDefaultParseMode(ParseMode::kClassic);
  EXPECT_EQ(DefaultParseMode(), ParseMode::kClassic);
  SetDefaultParseMode(ParseMode::kUtf8Strict);
  EXPECT_EQ(DefaultParseMode(), ParseMode::kUtf8Strict);
  SetDefaultParseMode(ParseMode::kFallback);
  EXPECT_EQ(DefaultParseMode(), ParseMode::kFallback);
}

}  // namespace
}  // namespace am
