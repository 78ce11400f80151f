package outreach

import (
	"net/url"
	"reflect"
	"testing"
)

func TestTargets(t *testing.T) {
	days := func(n int) *int { return &n }
	r := Report{Municipalities: []MunicipalityStage{
		{NIS: "1", Province: "Antwerpen", Team: "t1", Stage: NotInformed},
		{NIS: "2", Province: "Antwerpen", Team: "t1", Stage: InConversation, DaysSinceContact: days(10)},
		{NIS: "3", Province: "Limburg", Team: "t2", Stage: InConversation, DaysSinceContact: days(90)},
		{NIS: "4", Province: "Limburg", Team: "t2", Stage: Active},
		{NIS: "5", Province: "Limburg", Team: "t2", Stage: Ended},
		{NIS: "6", Province: "Limburg", Team: "t2", Stage: SignedUp},
	}}
	nis := func(rows []MunicipalityStage) []string {
		var out []string
		for _, m := range rows {
			out = append(out, m.NIS)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"1", "2", "3", "5"}},
		{"province=Limburg", []string{"3", "5"}},
		{"team=t1", []string{"1", "2"}},
		{"stage=in_conversation", []string{"2", "3"}},
		{"stage=active,signed_up", []string{"4", "6"}},
		{"min_days_since_contact=30", []string{"1", "3", "5"}},
		{"province=Antwerpen&stage=not_informed&stage=informed", []string{"1"}},
	} {
		q, _ := url.ParseQuery(tc.query)
		f, err := ParseTargetFilter(q)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got := nis(Targets(r, f)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
		back, err := ParseTargetFilter(f.Query())
		if err != nil || !reflect.DeepEqual(back, f) {
			t.Errorf("%s: Query round trip = %+v, %v", tc.query, back, err)
		}
	}
	for _, bad := range []string{"province=Brabant", "stage=signed_upp", "min_days_since_contact=-1", "min_days_since_contact=x"} {
		q, _ := url.ParseQuery(bad)
		if _, err := ParseTargetFilter(q); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
