#include "resp/reply_builder.h"

#include "common/number_parsing.h"

namespace ringcache {

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view line) {
  const size_t start = out_->size();
  out_->push_back('-');
  out_->append(line);
  for (size_t i = start + 1; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(const Status& status) { Error(ToRespError(status)); }

void ReplyBuilder::Header(char type, size_t n) {
  char buf[32];
  buf[0] = type;
  char* end = WriteUint64(n, buf + 1);
  end[0] = '\r';
  end[1] = '\n';
  out_->append(buf, static_cast<size_t>(end + 2 - buf));
}

void ReplyBuilder::Integer(int64_t value) {
  char buf[32];
  buf[0] = ':';
  const size_t len = FormatInt64(value, buf + 1);
  buf[len + 1] = '\r';
  buf[len + 2] = '\n';
  out_->append(buf, len + 3);
}

void ReplyBuilder::Bulk(std::string_view s) {
  Header('$', s.size());
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Bulk(std::string_view head, std::string_view tail) {
  Header('$', head.size() + tail.size());
  out_->append(head);
  out_->append(tail);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Null() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyBuilder::NullArray() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyBuilder::ArrayHeader(size_t n) { Header('*', n); }

void ReplyBuilder::MapHeader(size_t n) {
  if (protocol_ >= 3) {
    Header('%', n);
  } else {
    Header('*', n * 2);
  }
}

void ReplyBuilder::SetHeader(size_t n) { Header(protocol_ >= 3 ? '~' : '*', n); }

void ReplyBuilder::Double(double value) {
  const std::string text = FormatDouble(value);
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::Bool(bool value) {
  if (protocol_ >= 3) {
    out_->append(value ? "#t\r\n" : "#f\r\n", 4);
  } else {
    Integer(value ? 1 : 0);
  }
}

void ReplyBuilder::Verbatim(std::string_view text) {
  if (protocol_ >= 3) {
    Header('=', text.size() + 4);
    out_->append("txt:", 4);
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::BulkArray(std::initializer_list<std::string_view> items) {
  ArrayHeader(items.size());
  for (std::string_view item : items) Bulk(item);
}

std::string ToRespError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return "ERR internal error: reply for an OK status";
    case StatusCode::kWrongType:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case StatusCode::kOutOfMemory:
      return "OOM " + status.message();
    case StatusCode::kUnavailable:
      return "NOQUORUM " + status.message();
    case StatusCode::kTimeout:
      return "TIMEOUT " + status.message();
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
      break;
  }
  return "ERR " + status.message();
}

}  // namespace ringcache
