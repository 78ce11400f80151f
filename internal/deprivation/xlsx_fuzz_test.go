package deprivation

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"kansrijk/internal/municipality"
)

// FuzzParseFile: any upload, a workbook or a text file, gives either an
// error (not a readable workbook) or a result whose values and problems
// keep their invariants.
func FuzzParseFile(f *testing.F) {
	for _, rows := range [][][]any{
		{{"NIS", "Jaar", "Index"}, {11002, 2023, 0.198}, {44021, 2023, "14,2 %"}},
		{{"Gemeente", "2023", "2024"}, {"Hulshout", 12.5, 13}, {"", nil, "x"}},
	} {
		wb := excelize.NewFile()
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := wb.SetSheetRow("Sheet1", cell, &row); err != nil {
				f.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := wb.Write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("NIS;2023;2024\n11002;0,2;0,3\n"))
	f.Add([]byte("PK\x03\x04not a zip"))
	reg := municipality.MustLoad()
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseFile(bytes.NewReader(data), reg)
		if err != nil {
			return
		}
		checkInvariants(t, res)
	})
}
