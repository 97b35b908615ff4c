package evidence

import (
	"context"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// AnalyzeMessage is Analyze that also returns the parsed message the
// evidence was drawn from (the raw bytes as cut to the limits), for a
// screen that shows the bodies, the header fields and the parts next to
// the analysis without parsing the message twice.
func AnalyzeMessage(raw []byte, lim Limits) (*Evidence, *mail.Parsed) {
	return analyze(context.Background(), raw, lim.withDefaults(), 0)
}

// AnalyzeParsed is AnalyzeMessage on a message the caller has already
// parsed with mail.ParseMessage (reported.Recognize keeps such a parse of
// the original it finds, and recognising a report starts with one): p is
// used when the analysis within lim would parse raw the same way, else
// raw is parsed again within lim. Either way the result is the same as
// AnalyzeMessage's; only the second parse is saved.
func AnalyzeParsed(raw []byte, p *mail.Parsed, lim Limits) (*Evidence, *mail.Parsed) {
	lim = lim.withDefaults()
	if p == nil || !lim.parsesAsDefault(len(raw)) {
		return AnalyzeMessage(raw, lim)
	}
	return analyzeParsed(context.Background(), raw, p, lim, 0)
}

// parsesAsDefault reports whether parsing n bytes within l gives what
// mail.ParseMessage gives: the same limits, or limits that differ only in
// a byte cap neither reaches.
func (l Limits) parsesAsDefault(n int) bool {
	want, def := l.parse().WithDefaults(), mail.Limits{}.WithDefaults()
	if want.MaxBytes != def.MaxBytes && n > min(want.MaxBytes, def.MaxBytes) {
		return false
	}
	want.MaxBytes = def.MaxBytes
	return want == def
}
