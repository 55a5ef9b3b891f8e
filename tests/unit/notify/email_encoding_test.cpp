// Q-encoding, quoted-printable and dot-stuffing against vectors produced by Go 1.19's
// mime.QEncoding, mime/quotedprintable and net/textproto (the library upstream 0.25 uses).
#include "notify/email_encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace am::notify {
namespace {

using Vectors = std::vector<std::pair<std::string, std::string>>;

TEST(EmailEncoding, QEncodeWordMatchesGo) {
  const Vectors cases = {
      {"plain ascii", "plain ascii"},
      {"[FIRING:1] Test (läuft)", "=?utf-8?q?[FIRING:1]_Test_(l=C3=A4uft)?="},
      {"héllo wörld", "=?utf-8?q?h=C3=A9llo_w=C3=B6rld?="},
      {"a=b?c_d", "a=b?c_d"},
      {"tab\there", "tab\there"},
      {"line\nbreak", "=?utf-8?q?line=0Abreak?="},
      {"日本語のテキストがとても長い場合には複数のエンコードされた単語に分割されます。これはテスト"
       "です。",
       "=?utf-8?q?=E6=97=A5=E6=9C=AC=E8=AA=9E=E3=81=AE=E3=83=86=E3=82=AD=E3=82=B9?= "
       "=?utf-8?q?=E3=83=88=E3=81=8C=E3=81=A8=E3=81=A6=E3=82=82=E9=95=B7=E3=81=84?= "
       "=?utf-8?q?=E5=A0=B4=E5=90=88=E3=81=AB=E3=81=AF=E8=A4=87=E6=95=B0=E3=81=AE?= "
       "=?utf-8?q?=E3=82=A8=E3=83=B3=E3=82=B3=E3=83=BC=E3=83=89=E3=81=95=E3=82=8C?= "
       "=?utf-8?q?=E3=81=9F=E5=8D=98=E8=AA=9E=E3=81=AB=E5=88=86=E5=89=B2=E3=81=95?= "
       "=?utf-8?q?=E3=82=8C=E3=81=BE=E3=81=99=E3=80=82=E3=81=93=E3=82=8C=E3=81=AF?= "
       "=?utf-8?q?=E3=83=86=E3=82=B9=E3=83=88=E3=81=A7=E3=81=99=E3=80=82?="},
      {"\xff\xfe invalid", "=?utf-8?q?=FF=FE_invalid?="},
      {"xüaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
       "=?utf-8?q?x=C3=BCaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?= "
       "=?utf-8?q?aaaaaaaaaaaaa?="},
      {"", ""},
      {"🔥 fire", "=?utf-8?q?=F0=9F=94=A5_fire?="},
      {"~tilde\x7f", "=?utf-8?q?~tilde=7F?="},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(QEncodeWord(in), want) << in;
}

TEST(EmailEncoding, QEncodedWordsStayWithin75Bytes) {
  const std::string out = QEncodeWord(std::string(200, 'x') + "é" + std::string(100, 'y'));
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find(' ', start);
    if (end == std::string::npos) end = out.size();
    EXPECT_LE(end - start, 75u);
    start = end + 1;
  }
}

TEST(EmailEncoding, QuotedPrintableMatchesGo) {
  const Vectors cases = {
      {"hello", "hello"},
      {"a=b", "a=3Db"},
      {"trailing space ", "trailing space=20"},
      {"trailing tab\t", "trailing tab=09"},
      {"space before break \nnext", "space before break=20\r\nnext"},
      {"crlf\r\nline", "crlf\r\nline"},
      {"cr\ronly", "cr\r\nonly"},
      {"ünïcödé", "=C3=BCn=C3=AFc=C3=B6d=C3=A9"},
      {"012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
       "0",
       "012345678901234567890123456789012345678901234567890123456789012345678901234=\r\n"
       "5678901234567890"},
      {"012345678901234567890123456789012345678901234567890123456789012345678901234=5678",
       "012345678901234567890123456789012345678901234567890123456789012345678901234=\r\n=3D5678"},
      {".leading dot\n.another", ".leading dot\r\n.another"},
      {"", ""},
      {"\n", "\r\n"},
      {"x \r\n", "x=20\r\n"},
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \t",
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\n =09"},
      {"<b>html</b>\n", "<b>html</b>\r\n"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(QuotedPrintable(in), want) << in;
}

TEST(EmailEncoding, QuotedPrintableLinesNeverExceed76) {
  std::string body;
  for (int i = 0; i < 500; ++i) body += (i % 7 == 0) ? "é" : (i % 11 == 0 ? " " : "x");
  const std::string out = QuotedPrintable(body);
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    if (end == std::string::npos) end = out.size();
    EXPECT_LE(end - start, 76u);
    start = end + 2;
  }
}

TEST(EmailEncoding, DotStuffMatchesGoDotWriter) {
  const Vectors cases = {
      {"", "\r\n.\r\n"},
      {"a", "a\r\n.\r\n"},
      {"a\r\n", "a\r\n.\r\n"},
      {"a\n", "a\r\n.\r\n"},
      {".a\r\n.b\n..c", "..a\r\n..b\r\n...c\r\n.\r\n"},
      {"x\r", "x\r\n.\r\n"},
      {"x\ry", "x\ry\r\n.\r\n"},
      {"\r\r\n", "\r\r\r\n.\r\n"},
      {"a\r\n.\r\n", "a\r\n..\r\n.\r\n"},
      {"end.", "end.\r\n.\r\n"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(DotStuff(in), want) << in;
}

TEST(EmailEncoding, Utf8SequenceLengthFollowsGo) {
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
  EXPECT_EQ(Utf8SequenceLength("a"), 1u);
  EXPECT_EQ(Utf8SequenceLength("é"), 2u);
  EXPECT_EQ(Utf8SequenceLength("日"), 3u);
  EXPECT_EQ(Utf8SequenceLength("🔥"), 4u);
  EXPECT_EQ(Utf8SequenceLength("\xc3"), 1u);              // truncated
  EXPECT_EQ(Utf8SequenceLength("\xc0\x80"), 1u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80"), 1u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xf4\x90\x80\x80"), 1u);  // above U+10FFFF
}

}  // namespace
}  // namespace am::notify
