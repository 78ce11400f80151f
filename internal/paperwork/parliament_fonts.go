package paperwork

// Fonts returns the font family name and the regular and bold DejaVu Sans fonts every
// Kansrijk PDF embeds, for PDFs made outside this package (the parliamentary answer pack of
// internal/parliament), so that accents come out right there too.
func Fonts() (family string, regular, bold []byte) {
	return fontFamily, fontRegular, fontBold
}
