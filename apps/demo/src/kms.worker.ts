// The KMS worker: keys are created, stored and used only here.
import '@webkms/worker/worker'
