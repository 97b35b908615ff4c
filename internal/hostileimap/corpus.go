package hostileimap

// Hostile names, keywords and texts: each is what a hostile or broken
// server can send, as it goes on the wire.
const (
	// OSC8Name decodes (validly) to an OSC 8 hyperlink around "click".
	OSC8Name = "&ABs-]8;;https://evil.example/&AAc-click&ABs-]8;;&AAc-"
	SGRName  = "&ABs-[31mRed&ABs-[0m"
	APCName  = `&ABs-_Gf=100;AAAA&ABs-\`
	C1Name   = "&AJs-2JC1 CSI"
	RLOName  = "invoice&IC4-fdp.exe"
	// Not valid modified UTF-7: go-imap refuses the whole LIST for one.
	UnterminatedName = "Reports &Jjo"
	ASCIIShiftName   = "Bad&AGE-name"
	NotUTF8Name      = "Caf\xe9 \xff"

	// EscapeText is a server's free text (NO, ENVELOPE) with an OSC 8
	// link, SGR, a C1 CSI, DEL and an RLO in it.
	EscapeText = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m \xc2\x9b2J \x7f \u202Efdp.exe"
	// Keywords: the first decodes (as a $mt_ category) to ESC [31m; the
	// others are not atoms, which go-imap's parser refuses.
	EncodedEscapeKeyword = "$mt__1b_5b31m"
	QuotedKeyword        = `"bad keyword"`
	BracketKeyword       = "kw]x"
	C1Keyword            = "kw\xc2\x9bx"
)

// Corpus is a mailbox with every hostile kind at once: INBOX with hostile
// envelopes and keywords, folders with hostile and undecodable names (one
// sent as a literal), and one whose STATUS and SELECT answer NO with
// escape sequences.
func Corpus() []Folder {
	msg := func(subject string, flags ...string) Message {
		return Message{
			Flags: flags, Subject: subject, From: "ceo@evil.example", Date: "Mon, 02 Nov 2026 10:00:00 +0000",
			Raw: []byte("From: ceo@evil.example\r\nTo: soc@example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject[:4] + "@evil.example>\r\n\r\nbody\r\n"),
		}
	}
	inbox := []Message{
		msg("Wire "+EscapeText, `\Seen`, EncodedEscapeKeyword),
		msg("Quoted keyword", QuotedKeyword),
		msg("Bracket keyword", BracketKeyword, `\Flagged`),
		msg("C1 keyword", C1Keyword),
	}
	return []Folder{
		{Name: "INBOX", Messages: inbox, Flags: []string{EncodedEscapeKeyword, QuotedKeyword}},
		{Name: OSC8Name, Messages: []Message{msg("in osc8")}},
		{Name: SGRName},
		{Name: APCName},
		{Name: C1Name},
		{Name: RLOName},
		{Name: UnterminatedName, Messages: []Message{msg("Undecodable one"), msg("Undecodable two")}},
		{Name: ASCIIShiftName, AsLiteral: true, Messages: []Message{msg("Literal name")}},
		{Name: NotUTF8Name},
		{Name: "Refused", NO: "[UNAVAILABLE] " + EscapeText},
	}
}
