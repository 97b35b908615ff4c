package oauth

import "github.com/emersion/go-sasl"

// XOAUTH2 is the SASL mechanism Exchange Online (and Gmail) take for IMAP
// and SMTP with an OAuth2 token. go-sasl dropped it as non-standard, so
// it is here, shared by the IMAP and SMTP clients.
const XOAUTH2 = "XOAUTH2"

type xoauth2 struct{ user, token string }

// NewXOAuth2Client returns a SASL client that sends
// "user=<user>^Aauth=Bearer <token>^A^A" as its initial response.
func NewXOAuth2Client(user, token string) sasl.Client {
	return &xoauth2{user: user, token: token}
}

// XOAuth2Response is the initial response the client sends.
func XOAuth2Response(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

func (x *xoauth2) Start() (string, []byte, error) {
	return XOAUTH2, XOAuth2Response(x.user, x.token), nil
}

// Next answers the server's only challenge, a JSON error report sent when
// the token is refused, with the empty response the protocol asks for;
// the server then fails the command with its own words. Returning an
// error here would leave the IMAP connection mid-exchange.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }
