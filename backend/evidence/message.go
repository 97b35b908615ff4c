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
