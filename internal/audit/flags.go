package audit

import (
	"sort"
	"time"
)

// The kinds of flag the console raises for unusual patterns.
const (
	FlagManyFamilies    = "many_families"     // a user opened many families in a short time
	FlagNightAccess     = "night_access"      // personal data accessed at night
	FlagRepeatedDenials = "repeated_denials"  // a user refused again and again
	FlagNewTokenAddress = "new_token_address" // an API token used from an address it had not used before
)

// FlagConfig holds the thresholds of the flags.
type FlagConfig struct {
	// ManyFamilies: more than this many distinct families (referrals or
	// birth notifications) opened by one user within ManyFamiliesWindow.
	ManyFamilies       int
	ManyFamiliesWindow time.Duration
	// Denials: at least this many refused attempts by one user within
	// DenialsWindow.
	Denials       int
	DenialsWindow time.Duration
	// NightFrom and NightTo are the hours (local time in Location) of the
	// night: an access at or after NightFrom or before NightTo.
	NightFrom, NightTo int
	Location           *time.Location
}

// DefaultFlagConfig: more than 20 families in an hour, 5 denials in an
// hour, night from 22:00 to 06:00 in Brussels.
func DefaultFlagConfig() FlagConfig {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return FlagConfig{ManyFamilies: 20, ManyFamiliesWindow: time.Hour, Denials: 5, DenialsWindow: time.Hour,
		NightFrom: 22, NightTo: 6, Location: loc}
}

// Flag is one unusual pattern: who, from when to when, how many events.
// The console links it to the events it stands for (user or token and
// the time range).
type Flag struct {
	Kind        string    `json:"kind"`
	ActorUserID int64     `json:"actor_user_id,omitempty"`
	ActorEmail  string    `json:"actor_email,omitempty"`
	ActorOrg    string    `json:"actor_org,omitempty"`
	TokenID     int64     `json:"token_id,omitempty"`
	ClientAddr  string    `json:"client_addr,omitempty"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Count       int       `json:"count"`
}

// familyObject reports whether an object type stands for a family.
func familyObject(t string) bool { return t == "referral" || t == "birth_notification" }

// TokenAddress is when an API token was first seen from a client address.
type TokenAddress struct {
	TokenID    int64
	ClientAddr string
	First      time.Time
}

// DetectFlags finds the unusual patterns in events (any order). addrs
// lists, per token, every client address it was used from with the first
// time (over all history, not only these events): a token's address first
// seen within [from, to) when the token had been used from another address
// before is flagged.
func DetectFlags(events []Event, addrs []TokenAddress, from, to time.Time, cfg FlagConfig) []Flag {
	evs := append([]Event(nil), events...)
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].At.Equal(evs[j].At) {
			return evs[i].At.Before(evs[j].At)
		}
		return evs[i].ID < evs[j].ID
	})
	byUser := map[int64][]Event{}
	var users []int64
	for _, e := range evs {
		if e.ActorUserID == 0 {
			continue
		}
		if _, ok := byUser[e.ActorUserID]; !ok {
			users = append(users, e.ActorUserID)
		}
		byUser[e.ActorUserID] = append(byUser[e.ActorUserID], e)
	}
	sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
	var out []Flag
	for _, u := range users {
		list := byUser[u]
		out = append(out, manyFamilies(list, cfg)...)
		out = append(out, denials(list, cfg)...)
		out = append(out, night(list, cfg)...)
	}
	out = append(out, newTokenAddresses(addrs, from, to)...)
	return out
}

func flagOf(kind string, e Event) Flag {
	return Flag{Kind: kind, ActorUserID: e.ActorUserID, ActorEmail: e.ActorEmail, ActorOrg: e.ActorOrg, From: e.At, To: e.At}
}

// manyFamilies: windows in which the user opened more than the threshold
// of distinct families; overlapping windows make one flag.
func manyFamilies(list []Event, cfg FlagConfig) []Flag {
	type open struct {
		at  time.Time
		key string
	}
	var opens []open
	for _, e := range list {
		if familyObject(e.ObjectType) && e.Outcome == OK && e.ObjectID != "" {
			opens = append(opens, open{e.At, e.ObjectType + "/" + e.ObjectID})
		}
	}
	var out []Flag
	var cur *Flag
	seen := map[string]int{}
	start := 0
	for _, o := range opens {
		seen[o.key]++
		for opens[start].at.Before(o.at.Add(-cfg.ManyFamiliesWindow)) {
			k := opens[start].key
			if seen[k]--; seen[k] == 0 {
				delete(seen, k)
			}
			start++
		}
		if len(seen) <= cfg.ManyFamilies {
			continue
		}
		if cur != nil && !opens[start].at.After(cur.To) {
			cur.To = o.at
			cur.Count = max(cur.Count, len(seen))
			continue
		}
		f := flagOf(FlagManyFamilies, list[0])
		f.From, f.To, f.Count = opens[start].at, o.at, len(seen)
		out = append(out, f)
		cur = &out[len(out)-1]
	}
	return out
}

// denials: windows with at least the threshold of refused attempts.
func denials(list []Event, cfg FlagConfig) []Flag {
	var ds []Event
	for _, e := range list {
		if e.Outcome == Denied {
			ds = append(ds, e)
		}
	}
	var out []Flag
	var cur *Flag
	start := 0
	for i, e := range ds {
		for ds[start].At.Before(e.At.Add(-cfg.DenialsWindow)) {
			start++
		}
		n := i - start + 1
		if n < cfg.Denials {
			continue
		}
		if cur != nil && !ds[start].At.After(cur.To) {
			cur.To, cur.Count = e.At, cur.Count+1
			continue
		}
		f := flagOf(FlagRepeatedDenials, e)
		f.From, f.To, f.Count = ds[start].At, e.At, n
		out = append(out, f)
		cur = &out[len(out)-1]
	}
	return out
}

// night: one flag per user and night with the events of that night.
func night(list []Event, cfg FlagConfig) []Flag {
	var out []Flag
	var lastNight string
	for _, e := range list {
		l := e.At.In(cfg.Location)
		h := l.Hour()
		if !(h >= cfg.NightFrom || h < cfg.NightTo) {
			continue
		}
		// The night is named after the evening it starts on.
		n := l
		if h < cfg.NightTo {
			n = l.AddDate(0, 0, -1)
		}
		key := n.Format(time.DateOnly)
		if key == lastNight && len(out) > 0 {
			out[len(out)-1].To = e.At
			out[len(out)-1].Count++
			continue
		}
		lastNight = key
		f := flagOf(FlagNightAccess, e)
		f.Count = 1
		out = append(out, f)
	}
	return out
}

// newTokenAddresses: a token's address first seen in [from, to) after the
// token had been used from another address.
func newTokenAddresses(addrs []TokenAddress, from, to time.Time) []Flag {
	first := map[int64]time.Time{}
	for _, a := range addrs {
		if t, ok := first[a.TokenID]; !ok || a.First.Before(t) {
			first[a.TokenID] = a.First
		}
	}
	var out []Flag
	for _, a := range addrs {
		if a.First.Before(from) || !a.First.Before(to) || !first[a.TokenID].Before(a.First) {
			continue
		}
		out = append(out, Flag{Kind: FlagNewTokenAddress, TokenID: a.TokenID, ClientAddr: a.ClientAddr, From: a.First, To: a.First, Count: 1})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].From.Equal(out[j].From) {
			return out[i].From.Before(out[j].From)
		}
		return out[i].TokenID < out[j].TokenID
	})
	return out
}
