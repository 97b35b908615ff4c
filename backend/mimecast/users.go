package mimecast

import "context"

const pathAliases = "/api/user/get-aliases"

// Alias is an alias address of a user.
type Alias struct {
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Domain       string `json:"domain"`
	Type         string `json:"type"`
	IsInternal   bool   `json:"isInternal"`
}

// Aliases returns the alias addresses of the user whose primary address is
// given.
func (c *Client) Aliases(ctx context.Context, primary string) ([]Alias, error) {
	if !looksLikeAddress(primary) {
		return nil, invalid("email address", "%q is not an email address", primary)
	}
	item := map[string]string{"emailAddress": primary}
	return list(ctx, c, pathAliases, item, ListOptions{}, nested[Alias]("aliases"))
}
