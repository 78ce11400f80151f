package auditlog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/audit"
)

// RecordVersion is the version of the canonical record encoding.
const RecordVersion = 1

// TimeLayout is the layout of a record's "at": the store's fixed-width UTC
// layout, microseconds included.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// record is the canonical record (version 1) of an audit event. The field
// order is part of the format: never reorder, rename or add a field
// without a new version.
type record struct {
	V            int    `json:"v"`
	ID           int64  `json:"id"`
	At           string `json:"at"`
	ActorRole    string `json:"actor_role"`
	ActorOrg     string `json:"actor_org"`
	ActorService bool   `json:"actor_service"`
	Channel      string `json:"channel"`
	Action       string `json:"action"`
	ObjectType   string `json:"object_type"`
	ObjectID     string `json:"object_id"`
	ReceiptCode  string `json:"receipt_code"`
	Purpose      string `json:"purpose"`
	AgreementID  int64  `json:"agreement_id"`
	Outcome      string `json:"outcome"`
	Private      string `json:"private"`
}

// private holds the fields of an event that name people or machines: the
// record only carries a salted hash of them, so that a family can be given
// its own records without learning workers' names or addresses.
type private struct {
	ActorUserID int64  `json:"actor_user_id"`
	ActorEmail  string `json:"actor_email"`
	TokenID     int64  `json:"token_id"`
	RequestID   string `json:"request_id"`
	ClientAddr  string `json:"client_addr"`
	Detail      string `json:"detail"`
}

// Record returns the canonical record of an event: the compact JSON that
// encoding/json produces for the version-1 record struct (HTML characters
// escaped as encoding/json does by default), no trailing newline. salt is
// the event's random salt (empty for events written before the log).
// This is the one place the encoding is defined; the sequencer, the
// verifier and the proof bundles all use it.
//
// The bytes are appended field by field in the struct's order rather than
// through json.Marshal (the verifier encodes millions of records); a
// string that is not plain printable ASCII free of the characters
// encoding/json escapes is handed to encoding/json itself, so the output
// is byte for byte what json.Marshal of the record struct gives
// (TestRecordMatchesEncodingJSON).
func Record(ev audit.Event, salt []byte) []byte {
	return appendRecord(make([]byte, 0, 384), &ev, salt)
}

// appendRecord appends the canonical record of ev to dst.
func appendRecord(dst []byte, ev *audit.Event, salt []byte) []byte {
	var ts [len(TimeLayout) + 8]byte
	b := append(dst, `{"v":`...)
	b = strconv.AppendInt(b, RecordVersion, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, ev.ID, 10)
	b = append(b, `,"at":`...)
	b = appendJSONBytes(b, appendTime(ts[:0], ev.At))
	b = append(b, `,"actor_role":`...)
	b = appendJSONString(b, ev.ActorRole)
	b = append(b, `,"actor_org":`...)
	b = appendJSONString(b, ev.ActorOrg)
	b = append(b, `,"actor_service":`...)
	b = strconv.AppendBool(b, ev.ActorService)
	b = append(b, `,"channel":`...)
	b = appendJSONString(b, ev.Channel)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, ev.Action)
	b = append(b, `,"object_type":`...)
	b = appendJSONString(b, ev.ObjectType)
	b = append(b, `,"object_id":`...)
	b = appendJSONString(b, ev.ObjectID)
	b = append(b, `,"receipt_code":`...)
	b = appendJSONString(b, ev.ReceiptCode)
	b = append(b, `,"purpose":`...)
	b = appendJSONString(b, ev.Purpose)
	b = append(b, `,"agreement_id":`...)
	b = strconv.AppendInt(b, ev.AgreementID, 10)
	b = append(b, `,"outcome":`...)
	b = appendJSONString(b, ev.Outcome)
	b = append(b, `,"private":"`...)
	b = appendPrivate(b, ev, salt)
	return append(b, `"}`...)
}

// Private returns the private commitment of an event: hex SHA-256 of salt
// followed by the JSON of {actor_user_id, actor_email, token_id,
// request_id, client_addr, detail}.
func Private(ev audit.Event, salt []byte) string {
	return string(appendPrivate(nil, &ev, salt))
}

// appendPrivate appends the private commitment of ev (64 hex digits).
func appendPrivate(dst []byte, ev *audit.Event, salt []byte) []byte {
	var buf [320]byte
	b := append(append(buf[:0], salt...), `{"actor_user_id":`...)
	b = strconv.AppendInt(b, ev.ActorUserID, 10)
	b = append(b, `,"actor_email":`...)
	b = appendJSONString(b, ev.ActorEmail)
	b = append(b, `,"token_id":`...)
	b = strconv.AppendInt(b, ev.TokenID, 10)
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, ev.RequestID)
	b = append(b, `,"client_addr":`...)
	b = appendJSONString(b, ev.ClientAddr)
	b = append(b, `,"detail":`...)
	b = appendJSONString(b, ev.Detail)
	b = append(b, '}')
	sum := sha256.Sum256(b) // SHA-256(salt || JSON)
	return hex.AppendEncode(dst, sum[:])
}

// appendTime appends t in UTC as TimeLayout formats it; by hand for the
// years 0000–9999 (the only ones TimeLayout writes in four digits).
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, TimeLayout)
	}
	hour, minute, sec := t.Clock()
	us := t.Nanosecond() / 1000
	dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.')
	for d := 100000; d > 0; d /= 10 {
		dst = append(dst, byte('0'+us/d%10))
	}
	return append(dst, 'Z')
}

// appendJSONString appends s as encoding/json encodes a string.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON(s[i]) {
			return appendMarshalled(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendJSONBytes is appendJSONString for a string held in bytes.
func appendJSONBytes(dst, s []byte) []byte {
	for _, c := range s {
		if !plainJSON(c) {
			return appendMarshalled(dst, string(s))
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// plainJSON reports whether encoding/json (HTML escaping on) writes c as
// itself: printable ASCII other than the quote, the backslash and <, >, &.
func plainJSON(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// appendMarshalled appends s encoded by encoding/json itself.
func appendMarshalled(dst []byte, s string) []byte {
	j, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always encodes
	}
	return append(dst, j...)
}

// LeafHash returns the Merkle leaf hash of an event's canonical record.
func LeafHash(ev audit.Event, salt []byte) tlog.Hash {
	return tlog.RecordHash(Record(ev, salt))
}
