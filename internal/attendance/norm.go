package attendance

import (
	"strings"

	"kansrijk/internal/textnorm"
)

// nameTokens are the words of a municipality name or of a cell naming one, with the
// abbreviation "St." written out ("St.-Katelijne-Waver" → sint katelijne waver).
func nameTokens(s string) []string {
	ws := textnorm.Words(s)
	for i, w := range ws {
		if w == "st" {
			ws[i] = "sint"
		}
	}
	return ws
}

// key is the compact form of tokens used to compare names: "sint katelijne waver",
// "Sint-Katelijne-Waver" and "St.-Katelijne-Waver" all give "sintkatelijnewaver".
func key(tokens []string) string {
	return strings.Join(tokens, "")
}

// filler are words that may surround a municipality's name in a cell without changing which
// municipality is meant: "Gemeente", "Stad", "OCMW", "Lokaal bestuur", "Sociaal Huis",
// "dienst Welzijn", "City of", ...
var filler = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		gemeente gemeentebestuur gemeentehuis gemeentelijk gemeentelijke gemeenten stad stadsbestuur stadhuis
		stedelijk stedelijke ocmw ocmwbestuur bestuur besturen lokaal lokale sociaal sociale huis
		dienst diensten welzijn welzijnsdienst welzijnshuis welzijnsvereniging van het de der den en t
		city of the municipality municipal town council administration public social welfare centre center
		cpas commune ville administration communale du la le et
		administratie afdeling team cel beleid armoede armoedebeleid kinderarmoede kansen gelijke
		kind kinderen gezin gezinnen kinderopvang jeugd jeugddienst onthaal secretariaat kabinet schepen
		burgemeester college raad gemeenteraad ocmwraad bijzonder bijzondere comite voor zaken
		algemeen algemene directeur directie bcsd lb agb`) {
		m[w] = true
	}
	return m
}()

// isFiller reports whether w may be ignored around a name: a filler word or a number (a
// postal code).
func isFiller(w string) bool {
	if filler[w] {
		return true
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// trimFiller removes filler words from both ends of tokens.
func trimFiller(tokens []string) []string {
	for len(tokens) > 0 && isFiller(tokens[0]) {
		tokens = tokens[1:]
	}
	for len(tokens) > 0 && isFiller(tokens[len(tokens)-1]) {
		tokens = tokens[:len(tokens)-1]
	}
	return tokens
}

// distBuf holds the rows of distance, reused between calls.
type distBuf struct{ rows [3][]int }

// distance is the optimal string alignment distance (Levenshtein with transpositions) of a
// and b, or max+1 if it is larger than max.
func (db *distBuf) distance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	for i := range db.rows {
		if cap(db.rows[i]) < len(b)+1 {
			db.rows[i] = make([]int, len(b)+1)
		}
		db.rows[i] = db.rows[i][:len(b)+1]
	}
	prev2, prev, cur := db.rows[0], db.rows[1], db.rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > max {
		return max + 1
	}
	return prev[len(b)]
}
