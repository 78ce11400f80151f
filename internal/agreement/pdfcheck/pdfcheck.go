// Package pdfcheck tells whether uploaded bytes are a readable PDF, with a
// real parser rather than by the first bytes.
package pdfcheck

import (
	"bytes"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func init() {
	// pdfcpu would otherwise create a configuration folder in the home
	// directory on first use.
	api.DisableConfigDir()
}

// Check parses a PDF with a real parser (pdfcpu): the header, the
// cross-reference table or streams, the trailer and every object are
// read, and the document structure validated (relaxed, as real scanners
// and office suites write it). A file that only starts like a PDF fails.
func Check(b []byte) (err error) {
	defer func() {
		// A parser fed hostile input must not take the server down.
		if r := recover(); r != nil {
			err = fmt.Errorf("pdf parser: %v", r)
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return api.Validate(bytes.NewReader(b), conf)
}
