package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestPreviewDeprivation: on both databases, the preview of an import
// says per year the rows before and after and which municipalities are
// added, removed and changed, changes nothing, and agrees with what the
// import then does.
func TestPreviewDeprivation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := account.Actor{Email: "admin@test", Role: account.Admin, Org: "opgroeien"}
		if _, err := db.ImportDeprivation(ctx, admin, deprParse(t, deprFile), "fictief — testgegevens"); err != nil {
			t.Fatal(err)
		}
		// 2024 again: Hulshout changes, Kortessem stays, Beveren, Kruibeke
		// and Zwijndrecht are removed, Herselt is added; 2022 is new.
		next := deprParse(t, "NIS;Jaar;Index\n13016;2024;7,0\n73040;2024;5,5\n13013;2024;8,0\n13016;2022;6,0\n")
		p, err := db.PreviewDeprivation(ctx, admin, next)
		if err != nil {
			t.Fatal(err)
		}
		if p.Values != 4 || len(p.Years) != 2 {
			t.Fatalf("preview %+v", p)
		}
		y22, y24 := p.Years[0], p.Years[1]
		if y22.Year != 2022 || !y22.New || y22.Before != 0 || y22.After != 1 || len(y22.Added) != 1 || y22.Source != "" {
			t.Errorf("2022: %+v", y22)
		}
		if y24.Year != 2024 || y24.New || y24.Before != 5 || y24.After != 3 || y24.Unchanged != 1 || y24.Source != "fictief — testgegevens" {
			t.Errorf("2024: %+v", y24)
		}
		var added, removed, changed []string
		for _, c := range y24.Added {
			added = append(added, c.Name)
		}
		for _, c := range y24.Removed {
			removed = append(removed, c.Name)
		}
		for _, c := range y24.Changed {
			changed = append(changed, c.Name)
		}
		if len(added) != 1 || added[0] != "Herselt" || len(changed) != 1 || changed[0] != "Hulshout" ||
			len(removed) != 3 || removed[0] != "Beveren" || removed[1] != "Kruibeke" || removed[2] != "Zwijndrecht" {
			t.Errorf("2024: added %v, removed %v, changed %v", added, removed, changed)
		}
		// Nothing changed; the same preview has the same fingerprint.
		again, err := db.PreviewDeprivation(ctx, admin, next)
		if err != nil || again.Fingerprint() != p.Fingerprint() {
			t.Fatalf("a second preview differs: %v", err)
		}
		if _, err := db.ImportDeprivation(ctx, admin, next, ""); err != nil {
			t.Fatal(err)
		}
		after, err := db.PreviewDeprivation(ctx, admin, next)
		if err != nil || after.Fingerprint() == p.Fingerprint() || after.Years[1].Before != 3 || after.Years[1].Unchanged != 3 {
			t.Fatalf("after the import: %+v %v", after, err)
		}
		if _, err := db.PreviewDeprivation(ctx, account.Actor{Email: "a@test", Role: account.Analyst, Org: "opgroeien"}, next); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("an analyst's preview: %v", err)
		}
	})
}
