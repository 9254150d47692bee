package smtp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// A real SMTP server for the tests, on a loopback port.

// serverTLS is how the test server offers TLS.
type serverTLS int

const (
	offerStartTLS serverTLS = iota // STARTTLS on a plain port
	offerImplicit                  // TLS from the first byte
	offerNone                      // no TLS at all
)

// serverOpts configures a test server.
type serverOpts struct {
	tls        serverTLS
	user, pass string // AUTH PLAIN required when user is set
	rejectRcpt string // a recipient answered with 550
}

// delivered is one mail the test server took.
type delivered struct {
	from string
	to   []string
	data []byte
	tls  bool // it came over TLS
	user string
}

// testServer is a running go-smtp server that stores what arrives.
type testServer struct {
	addr string
	opts serverOpts

	mu       sync.Mutex
	sessions int // connections opened
	mails    []delivered
}

// startServer runs a test server until the test ends.
func startServer(t *testing.T, opts serverOpts) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: l.Addr().String(), opts: opts}
	srv := gosmtp.NewServer(ts)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quietLog{}
	switch opts.tls {
	case offerStartTLS:
		srv.TLSConfig = testCert().server
	case offerImplicit:
		l = tls.NewListener(l, testCert().server)
	}
	srv.AllowInsecureAuth = true // the client decides whether to send a password in clear
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		l.Close() // in case Serve had not yet registered it when Close ran
		<-done
	})
	return ts
}

// got returns the mails taken so far and the number of connections.
func (ts *testServer) got() ([]delivered, int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]delivered(nil), ts.mails...), ts.sessions
}

// NewSession implements gosmtp.Backend.
func (ts *testServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	ts.mu.Lock()
	ts.sessions++
	ts.mu.Unlock()
	return &session{ts: ts, conn: c}, nil
}

type session struct {
	ts   *testServer
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if s.ts.opts.user == "" || username != s.ts.opts.user || password != s.ts.opts.pass {
			return gosmtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.ts.opts.user != "" && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.ts.mu.Lock()
	reject := to == s.ts.opts.rejectRcpt
	s.ts.mu.Unlock()
	if reject {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, overTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	s.ts.mails = append(s.ts.mails, delivered{from: s.from, to: s.to, data: data, tls: overTLS, user: s.user})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

// certs is a self-signed certificate for 127.0.0.1: the server's TLS
// configuration and a client configuration that trusts it.
type certs struct {
	server, client *tls.Config
}

var testCert = sync.OnceValue(func() certs {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mx.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost", "mx.test"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certs{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		client: &tls.Config{RootCAs: pool},
	}
})

// hangingServer accepts connections and never says a word. Each accepted
// connection is signalled on the returned channel.
func hangingServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 16)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), accepted
}
