#include "nflog/delimited.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "proto/cluster.pb.h"

namespace am::nflog {
namespace {

clusterpb::Part MakePart(std::string key, std::string data) {
  clusterpb::Part p;
  p.set_key(std::move(key));
  p.set_data(std::move(data));
  return p;
}

TEST(Delimited, RoundTripsSeveralMessages) {
  std::string buf;
  AppendDelimited(MakePart("nfl", "x"), &buf);
  AppendDelimited(MakePart("sil", std::string(300, 'y')), &buf);
  AppendDelimited(clusterpb::Part(), &buf);  // an empty message is one zero byte
  // 0a 03 'nfl' 12 01 'x' = 8 bytes.
  EXPECT_EQ(buf.substr(0, 9), std::string("\x08\x0a\x03nfl\x12\x01x", 9));
  // 2 + 3 + 3 (varint 300 = ac 02) + 300 = 308 = b4 02.
  EXPECT_EQ(buf.substr(9, 2), "\xb4\x02");
  EXPECT_EQ(buf.back(), '\0');

  DelimitedReader r(buf, 1 << 20);
  clusterpb::Part p;
  ASSERT_TRUE(r.Next(&p));
  EXPECT_EQ(p.key(), "nfl");
  ASSERT_TRUE(r.Next(&p));
  EXPECT_EQ(p.data().size(), 300u);
  ASSERT_TRUE(r.Next(&p));
  EXPECT_EQ(p.key(), "");
  EXPECT_FALSE(r.Next(&p));
  EXPECT_EQ(r.offset(), buf.size());
}

TEST(Delimited, EmptyInputIsACleanEnd) {
  DelimitedReader r("", 10);
  clusterpb::Part p;
  EXPECT_FALSE(r.Next(&p));
}

TEST(Delimited, RejectsTruncatedMessage) {
  std::string buf;
  AppendDelimited(MakePart("nfl", "abc"), &buf);
  buf.pop_back();
  DelimitedReader r(buf, 1 << 20);
  clusterpb::Part p;
  EXPECT_THROW(r.Next(&p), ParseError);
}

TEST(Delimited, RejectsTruncatedLengthPrefix) {
  DelimitedReader r(std::string_view("\x80", 1), 1 << 20);
  clusterpb::Part p;
  EXPECT_THROW(r.Next(&p), ParseError);
}

TEST(Delimited, RejectsVarintsLongerThanFiveBytes) {
  DelimitedReader r(std::string_view("\x80\x80\x80\x80\x80\x01", 6), ~size_t{0});
  clusterpb::Part p;
  EXPECT_THROW(r.Next(&p), ParseError);
}

TEST(Delimited, RejectsLengthOverLimitBeforeAllocating) {
  // ff ff ff ff 0f: a 4 GiB message announced by five bytes.
  DelimitedReader huge(std::string_view("\xff\xff\xff\xff\x0f", 5), 1 << 20);
  clusterpb::Part p;
  EXPECT_THROW(huge.Next(&p), ParseError);

  std::string buf;
  AppendDelimited(MakePart("nfl", std::string(100, 'z')), &buf);
  DelimitedReader limited(buf, 50);
  EXPECT_THROW(limited.Next(&p), ParseError);
  DelimitedReader enough(buf, buf.size());
  EXPECT_TRUE(enough.Next(&p));
}

TEST(Delimited, RejectsBytesThatAreNotTheMessage) {
  // Length 2, then field 1 as a length-delimited string announcing 5 bytes: malformed.
  DelimitedReader r(std::string_view("\x02\x0a\x05", 3), 1 << 20);
  clusterpb::Part p;
  EXPECT_THROW(r.Next(&p), ParseError);
}

}  // namespace
}  // namespace am::nflog
