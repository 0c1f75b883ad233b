import { MemoryKeyStore } from '../src/index.js'
import { describeKeyStoreConformance } from '../../../test/conformance/keyStoreConformance.js'

describeKeyStoreConformance('MemoryKeyStore', () => new MemoryKeyStore())
