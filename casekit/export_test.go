package casekit

// ConfigTx gives tests the transaction wrapper commands run on, with the
// kit's configuration cache.
func ConfigTx(k *Kit, tenant string, tx Tx) Tx { return k.configTx(tenant, tx) }
