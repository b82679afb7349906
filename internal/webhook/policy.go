package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
)

// MaxURL bounds a webhook URL.
const MaxURL = 2048

// Policy says which URLs moudesk may call. By default only public
// addresses: a webhook is a request the server makes on an admin's word,
// and pointed at 127.0.0.1, the cloud's metadata address or a host on the
// city's internal network it would reach what the admin cannot (SSRF).
type Policy struct {
	// AllowPrivate lets webhooks reach loopback, private and link-local
	// addresses: for tests and development (serve --webhooks-allow-private).
	AllowPrivate bool
	// Self are the host:port addresses this server answers at (its listen
	// address, its public URL's host): a webhook never calls moudesk
	// itself. A listen address without a host (":8080", "0.0.0.0:8080")
	// means every local address at that port.
	Self []string
	// Resolver looks hosts up; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

func refuse(code, format string, args ...any) error {
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: code, Field: "url", Message: fmt.Sprintf(format, args...)}
}

// CheckURL parses raw and refuses (422, field url) what moudesk must not
// call: a URL that is not absolute http(s), carries credentials, points
// at this server (Self, or extraSelf: the host a request reached it at),
// or, unless AllowPrivate, whose host is or resolves to a non-public
// address. The sender checks the address again when it connects, since a
// name may resolve elsewhere by then.
func (p Policy) CheckURL(ctx context.Context, raw string, extraSelf ...string) (*url.URL, error) {
	if raw == "" {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "url", Message: "url is required"}
	}
	u, err := parseHTTP(raw)
	if err != nil {
		return nil, err
	}
	host, port := u.Hostname(), portOf(u)
	for _, s := range append(append([]string{}, p.Self...), extraSelf...) {
		if sh, sp, ok := splitSelf(s); ok && strings.EqualFold(sh, host) && sp == port {
			return nil, refuse("url_self", "url points at this server (%s)", u.Host)
		}
	}
	addrs, err := p.resolve(ctx, host)
	if err != nil {
		return nil, refuse("url_unresolvable", "url's host %s does not resolve", host)
	}
	// Self first, whatever order the addresses came in: a name that is
	// this server is refused as such, not as a private address.
	for _, a := range addrs {
		if p.isSelf(a, port) {
			return nil, refuse("url_self", "url points at this server (%s is %s)", host, a)
		}
	}
	for _, a := range addrs {
		if !p.AllowPrivate && !Public(a) {
			return nil, refuse("url_private", "url's host %s is %s, a private or local address; webhooks call public addresses", host, a)
		}
	}
	return u, nil
}

// parseHTTP parses an absolute http(s) URL without credentials.
func parseHTTP(raw string) (*url.URL, error) {
	if len(raw) > MaxURL {
		return nil, refuse("too_long", "url must be at most %d bytes", MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, refuse("invalid_url", "url must be an absolute http or https URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, refuse("url_scheme", "url must be http or https, not %q", u.Scheme)
	}
	if u.User != nil {
		return nil, refuse("url_credentials", "url must not carry a user or password; deliveries are signed instead")
	}
	return u, nil
}

// portOf is u's port, the scheme's default when it names none.
func portOf(u *url.URL) uint16 {
	if p, err := strconv.ParseUint(u.Port(), 10, 16); err == nil {
		return uint16(p)
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}

// splitSelf reads a Self entry ("host:port", ":port"); ok is false for
// one that cannot be read.
func splitSelf(s string) (host string, port uint16, ok bool) {
	h, ps, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, false
	}
	n, err := strconv.ParseUint(ps, 10, 16)
	if err != nil {
		return "", 0, false
	}
	return h, uint16(n), true
}

// isSelf reports whether ip:port is this server, by Self's addresses.
func (p Policy) isSelf(ip netip.Addr, port uint16) bool {
	ip = ip.Unmap()
	for _, s := range p.Self {
		h, sp, ok := splitSelf(s)
		if !ok || sp != port {
			continue
		}
		if h == "" {
			h = "0.0.0.0"
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			continue // a name: compared as a name by CheckURL
		}
		if a.Unmap() == ip || (a.IsUnspecified() && (ip.IsLoopback() || localAddr(ip))) {
			return true
		}
	}
	return false
}

// localAddr reports whether ip is one of this machine's interface
// addresses.
func localAddr(ip netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if x, ok := netip.AddrFromSlice(n.IP); ok && x.Unmap() == ip {
				return true
			}
		}
	}
	return false
}

// resolve is host's addresses: itself when it is an IP literal.
func (p Policy) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	r := p.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return addrs, nil
}

// nonPublic are the ranges Go's netip predicates do not name that are no
// host on the public internet either (RFC 6890's special-purpose
// registries): "this network", shared address space (carrier NAT), IETF
// protocol assignments, benchmarking, reserved, and the IPv6 translation,
// discard, documentation and ULA-adjacent ranges a mapped address could
// hide a private one behind.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether ip is an address on the public internet: not
// loopback, private, link-local, multicast, unspecified nor any other
// special-purpose range.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
