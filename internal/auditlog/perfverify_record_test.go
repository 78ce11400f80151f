package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"kansrijk/internal/audit"
)

// recordByMarshal is the reference encoding: json.Marshal of the
// version-1 record struct, as Record was first written.
func recordByMarshal(ev audit.Event, salt []byte) []byte {
	pb, err := json.Marshal(private{ActorUserID: ev.ActorUserID, ActorEmail: ev.ActorEmail, TokenID: ev.TokenID,
		RequestID: ev.RequestID, ClientAddr: ev.ClientAddr, Detail: ev.Detail})
	if err != nil {
		panic(err)
	}
	h := sha256.New()
	h.Write(salt)
	h.Write(pb)
	b, err := json.Marshal(record{
		V: RecordVersion, ID: ev.ID, At: ev.At.UTC().Format(TimeLayout),
		ActorRole: ev.ActorRole, ActorOrg: ev.ActorOrg, ActorService: ev.ActorService,
		Channel: ev.Channel, Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		ReceiptCode: ev.ReceiptCode, Purpose: ev.Purpose, AgreementID: ev.AgreementID, Outcome: ev.Outcome,
		Private: hex.EncodeToString(h.Sum(nil)),
	})
	if err != nil {
		panic(err)
	}
	return b
}

// TestRecordMatchesEncodingJSON checks that the hand-written encoder gives
// the bytes json.Marshal gives, for plain values and for every kind of
// character encoding/json escapes.
func TestRecordMatchesEncodingJSON(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\r\x00\x1f\x7f",
		"é ü ñ — “curly” 😀", "line\u2028sep\u2029par", "bad \xff\xfe utf-8 \xc3", "ocmw@bench.example.org", "127.0.0.1:5432", "[::1]:80"}
	times := []time.Time{time.Date(2026, 12, 7, 7, 50, 1, 123456789, time.UTC), time.Date(2025, 3, 30, 2, 30, 0, 0, time.FixedZone("CEST", 7200)),
		{}, time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)}
	salts := [][]byte{nil, []byte("0123456789abcdef"), {0, 1, 2, 255}}
	n := 0
	for i, s := range odd {
		for j, at := range times {
			ev := audit.Event{ID: int64(i*100 + j - 3), At: at, ActorUserID: int64(-j), ActorEmail: s, ActorRole: s, ActorOrg: odd[(i+1)%len(odd)],
				ActorService: j%2 == 0, Channel: s, Action: odd[(i+2)%len(odd)], ObjectType: s, ObjectID: odd[(i+3)%len(odd)],
				ReceiptCode: s, Purpose: odd[(i+4)%len(odd)], AgreementID: int64(i) << 40, Outcome: s, RequestID: s,
				ClientAddr: odd[(i+5)%len(odd)], Detail: s, TokenID: int64(j) * 7}
			salt := salts[(i+j)%len(salts)]
			want := recordByMarshal(ev, salt)
			if got := Record(ev, salt); !bytes.Equal(got, want) {
				t.Fatalf("event %d:\n got %s\nwant %s", n, got, want)
			}
			n++
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	ev := audit.Event{ID: 123456, At: time.Now(), ActorEmail: "ocmw@bench.example.org", ActorRole: "ocmw_worker", ActorOrg: "ocmw-11002",
		Action: "referral.read", ObjectType: "referral", ObjectID: "1000123", Purpose: "follow_up", Outcome: audit.OK}
	salt := []byte("0123456789abcdef")
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			Record(ev, salt)
		}
	})
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			recordByMarshal(ev, salt)
		}
	})
}
