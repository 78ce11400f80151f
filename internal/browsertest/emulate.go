package browsertest

import (
	"context"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Viewport sets the size of the page's viewport in CSS pixels, as a
// window of that size would (a phone is 390 × 844). It lasts for the
// rest of the test, across navigations.
func (b *Browser) Viewport(width, height int64) {
	b.t.Helper()
	if _, err := run(b, b.timeout, chromedp.EmulateViewport(width, height)); err != nil {
		b.fatalf("set viewport %d×%d: %v", width, height, err)
	}
}

// EmulateMedia makes CSS media queries see the media type ("print",
// "screen"; "" ends the emulation).
func (b *Browser) EmulateMedia(media string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media}); err != nil {
		b.fatalf("emulate media %q: %v", media, err)
	}
}

// PrintToPDF prints the current page as Chromium's print dialog would,
// with the page size of the page's CSS (@page) when it has one, and
// returns the PDF.
func (b *Browser) PrintToPDF() []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
	if err != nil {
		b.fatalf("print to PDF: %v", err)
	}
	return res.Data
}
