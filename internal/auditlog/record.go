package auditlog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

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
func Record(ev audit.Event, salt []byte) []byte {
	b, err := json.Marshal(record{
		V: RecordVersion, ID: ev.ID, At: ev.At.UTC().Format(TimeLayout),
		ActorRole: ev.ActorRole, ActorOrg: ev.ActorOrg, ActorService: ev.ActorService,
		Channel: ev.Channel, Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		ReceiptCode: ev.ReceiptCode, Purpose: ev.Purpose, AgreementID: ev.AgreementID, Outcome: ev.Outcome,
		Private: Private(ev, salt),
	})
	if err != nil {
		panic(err) // strings, numbers and booleans always encode
	}
	return b
}

// Private returns the private commitment of an event: hex SHA-256 of salt
// followed by the JSON of {actor_user_id, actor_email, token_id,
// request_id, client_addr, detail}.
func Private(ev audit.Event, salt []byte) string {
	b, err := json.Marshal(private{ActorUserID: ev.ActorUserID, ActorEmail: ev.ActorEmail, TokenID: ev.TokenID,
		RequestID: ev.RequestID, ClientAddr: ev.ClientAddr, Detail: ev.Detail})
	if err != nil {
		panic(err)
	}
	h := sha256.New()
	h.Write(salt)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// LeafHash returns the Merkle leaf hash of an event's canonical record.
func LeafHash(ev audit.Event, salt []byte) tlog.Hash {
	return tlog.RecordHash(Record(ev, salt))
}
