// Package audit defines the audit record: one event for every login, every
// change of users, tokens and organisations, and (in later work) every
// access to personal data. Events are written by the store in the same
// transaction as the change they describe: if the event cannot be written,
// the change fails too.
package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
)

// Outcome of the audited action.
const (
	OK     = "ok"
	Denied = "denied"
	Failed = "failed"
)

// Actions recorded in the audit log (stable names: reports filter on them).
const (
	LoginOK       = "login.ok"
	LoginFailed   = "login.failed"
	LoginThrottle = "login.throttled"
	Logout        = "logout"
	UserCreate    = "user.create"
	UserUpdate    = "user.update"
	TokenCreate   = "token.create"
	TokenRevoke   = "token.revoke"
	// Identity (issue 10): service accounts, one-time password links,
	// password changes and refused attempts to use another's account.
	ServiceAccountCreate = "service_account.create"
	ServiceAccountRevoke = "service_account.revoke"
	PasswordLinkCreate   = "password_link.create"
	PasswordLinkRequest  = "password_link.request"
	PasswordSet          = "password.set"
	PasswordChange       = "password.change"
	UserCreateConflict   = "user.create_conflict"
	TeamCreate           = "team.create"
	TeamUpdate           = "team.update"
	ClinicCreate         = "clinic.create"
	OrgUpdate            = "organisation.update"
	DemoLoad             = "demo.load"
	// Lists of personal data: one event per page shown, naming the ids
	// (ListObjectID).
	UserList           = "user.list"
	ServiceAccountList = "service_account.list"
	// Area totp: the second factor (issue 15). A correct password of a
	// user who needs a second step (login.second_step, detail "code" or
	// "enrol"); the code of that step (login.second_factor, ok or failed;
	// too many wrong codes: login.throttled); a recovery code used; the
	// enrolment confirmed, recovery codes made anew, the second factor
	// disabled by its user or reset by an admin.
	LoginSecondStep      = "login.second_step"
	LoginSecondFactor    = "login.second_factor"
	LoginRecoveryCode    = "login.recovery_code_used"
	SecondFactorEnrol    = "second_factor.enrol"
	SecondFactorRecovery = "second_factor.recovery_codes"
	SecondFactorDisable  = "second_factor.disable"
	SecondFactorReset    = "second_factor.reset"
)

// ListObjectID names the objects of one list page in an event's object
// id: their ids, comma-separated, at most ListMaxIDs of them (then
// "…+N" for the rest), so that an event stays small however long the
// page.
func ListObjectID(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == ListMaxIDs {
			fmt.Fprintf(&b, ",…+%d", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// ListMaxIDs bounds the ids one list event names.
const ListMaxIDs = 100

// Event is one audit record. It never holds personal data of families in
// clear text in Detail; it points at objects by type and id.
type Event struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	ActorUserID int64     `json:"actor_user_id,omitempty"`
	ActorEmail  string    `json:"actor_email,omitempty"`
	ActorRole   string    `json:"actor_role,omitempty"`
	ActorOrg    string    `json:"actor_org,omitempty"`
	// ActorService marks an action of a service account.
	ActorService bool `json:"actor_service,omitempty"`
	// Channel is how the action came in: session, token, cli or job
	// (account.Actor.Channel).
	Channel string `json:"channel"`
	// TokenID is the API token used, where one was.
	TokenID    int64  `json:"token_id,omitempty"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   string `json:"object_id,omitempty"`
	// ReceiptCode is the family's receipt code when the event concerns a
	// referral: the family's own view (/ontvangstbewijs) selects on it.
	ReceiptCode string `json:"receipt_code,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	AgreementID int64  `json:"agreement_id,omitempty"`
	Outcome     string `json:"outcome"`
	RequestID   string `json:"request_id,omitempty"`
	ClientAddr  string `json:"client_addr,omitempty"`
	Detail      string `json:"detail,omitempty"`
	// LeafIndex is the event's position in the audit log's Merkle tree,
	// nil until the event has been sequenced into it (shortly after its
	// transaction committed).
	LeafIndex *int64 `json:"leaf_index,omitempty"`
}

// For returns an event about action on an object, by actor, outcome OK,
// with the action's default purpose (PurposeOf).
func For(a account.Actor, action, objectType, objectID string) Event {
	return Event{Purpose: PurposeOf(action),
		ActorUserID: a.UserID, ActorEmail: a.Email, ActorRole: string(a.Role), ActorOrg: a.Org,
		ActorService: a.Service, Channel: a.Channel(), TokenID: a.TokenID,
		Action: action, ObjectType: objectType, ObjectID: objectID, Outcome: OK,
		RequestID: a.RequestID, ClientAddr: a.ClientAddr,
	}
}

// Filter selects audit events.
type Filter struct {
	Action      string
	ObjectType  string
	ObjectID    string
	ActorOrg    string
	ActorUserID int64
	Channel     string
	ReceiptCode string
	Limit       int
}
