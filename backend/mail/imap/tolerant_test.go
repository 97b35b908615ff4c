package imap

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// trickle is a server connection that hands out one byte per Read, the
// worst case for a line-based rewriter.
type trickle struct {
	net.Conn
	data    string
	written strings.Builder
}

func (c *trickle) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, io.EOF
	}
	p[0], c.data = c.data[0], c.data[1:]
	return 1, nil
}

func (c *trickle) Write(p []byte) (int, error) { return c.written.Write(p) }

func TestTolerantConnRewritesOnlyWhatBreaksTheParser(t *testing.T) {
	body := "Subject: FLAGS (\"x y\")\r\n\r\n* LIST () \"/\" \"&Jjo\"\r\n" // a literal's content is never touched
	in := "* LIST (\\HasNoChildren) \"/\" \"R&AOk-sum&AOk-\"\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"Reports &Jjo\"\r\n" +
		"* LIST () \"/\" {7}\r\nLit&Jjo\r\n" +
		"* STATUS \"Reports &Jjo\" (MESSAGES 2)\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen \"bad kw\" ok) ENVELOPE (NIL \"FLAGS (\\\"q q\\\")\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {" + strconv.Itoa(len(body)) + "}\r\n" + body + " FLAGS (kw]x))\r\n" +
		"* OK [PERMANENTFLAGS (\\Seen \\* \"z\")] ok\r\n" +
		"a1 OK done\r\n"
	want := "* LIST (\\HasNoChildren) \"/\" \"R&AOk-sum&AOk-\"\r\n" +
		"* LIST (\\HasNoChildren) \"/\" \"" + mail.EncodeFolderName("Reports ⟨&Jjo⟩") + "\"\r\n" +
		"* LIST () \"/\" \"" + mail.EncodeFolderName("Lit⟨&Jjo⟩") + "\"\r\n" +
		"* STATUS \"" + mail.EncodeFolderName("Reports ⟨&Jjo⟩") + "\" (MESSAGES 2)\r\n" +
		"* 1 FETCH (UID 1 FLAGS (\\Seen " + mail.MalformedKeyword(`"bad kw"`) + " ok) ENVELOPE (NIL \"FLAGS (\\\"q q\\\")\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {" + strconv.Itoa(len(body)) + "}\r\n" + body + " FLAGS (" + mail.MalformedKeyword("kw]x") + "))\r\n" +
		"* OK [PERMANENTFLAGS (\\Seen \\* " + mail.MalformedKeyword(`"z"`) + ")] ok\r\n" +
		"a1 OK done\r\n"
	raw := &trickle{data: in}
	var names rawNames
	c := newTolerantConn(raw, &names)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	// The shown name goes back to the server as its raw bytes.
	if _, err := c.Write([]byte("a2 SELECT \"" + mail.EncodeFolderName("Lit⟨&Jjo⟩") + "\"\r\n")); err != nil {
		t.Fatal(err)
	}
	if w := raw.written.String(); w != "a2 SELECT \"Lit&Jjo\"\r\n" {
		t.Errorf("wrote %q", w)
	}
}
