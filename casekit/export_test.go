package casekit

import (
	"casekit.dev/casekit/store"
)

// ConfigTx gives tests the transaction wrapper commands run on, with the
// kit's configuration cache.
func ConfigTx(k *Kit, tenant string, tx store.Tx) store.Tx { return k.configTx(tenant, tx) }
