// Firestore CampaignStore: campaign documents, a driver subcollection, and per-org calls in flight, moved in transactions.
import type { DocumentReference, Firestore, Transaction } from '@google-cloud/firestore';
import { emptyCounts, type Campaign, type CampaignDriver } from '../../domain/campaign.ts';
import type {
  CampaignPage,
  CampaignStore,
  CampaignUpdate,
  DriverUpdate,
  DriverUpdateResult,
  NewCampaign,
} from '../../ports/campaign-store.ts';
import { isoNow, systemClock, type Clock } from '../../support/clock.ts';
import { SerialLanes } from '../../support/serial-lanes.ts';
import { applyDriverChange } from '../campaign-counts.ts';
import { decodeListCursor, encodeListCursor, keyHash } from '../store-keys.ts';
import { DEFAULT_TRANSACTION_ATTEMPTS } from './firestore-call-store.ts';
import { guardStore, retryClosedTransaction } from './firestore-errors.ts';
import { isDocumentId, withoutUndefined } from './firestore-fields.ts';

/** A driver document: the driver plus its position in the campaign's input, so `drivers()` keeps input order. */
type DriverDoc = CampaignDriver & { order: number };

/** `campaignOrgs/{keyHash(orgId)}`: drivers in state `calling` across the org's campaigns. */
interface OrgDoc {
  orgId: string;
  callsInFlight: number;
}

/** Drivers written per transaction by `create`: under Firestore's 500 writes per commit. */
export const DRIVER_CHUNK_SIZE = 450;

/** Campaigns whose org this process remembers (a cleared cache costs one read per campaign). */
const ORG_CACHE_MAX = 10_000;

export interface FirestoreCampaignStoreOptions {
  clock?: Clock;
  /** Attempts per transaction before `store_unavailable` (many drivers of an org contend on its counter). */
  maxAttempts?: number;
  /** Drivers per `create` transaction (≤ 499); smaller only in tests, to cover several chunks. */
  driverChunkSize?: number;
}

/**
 * CampaignStore on Firestore. Layout: `campaigns/{campaignId}` (the Campaign with its counts),
 * `campaigns/{campaignId}/drivers/{keyHash(driverId)}` (driver ids are arbitrary strings; `order` keeps input order),
 * `campaignOrgs/{keyHash(orgId)}` (`callsInFlight`). `updateDriver` reads all three and writes them in one
 * transaction, so counts always equal the drivers' states and caps checked by the update hold across processes.
 *
 * `create` writes the drivers first, in chunks, each chunk in a transaction that also reads the campaign document
 * and writes nothing once it exists; the campaign document comes last, with a create precondition. So a campaign is
 * visible only complete, a create that died midway is finished by its retry, and a late duplicate create can never
 * overwrite a driver that an update has already moved.
 */
export class FirestoreCampaignStore implements CampaignStore {
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly chunkSize: number;
  /**
   * This process's writes to one org's campaigns run one at a time: they all read the org's counter document, and
   * Firestore answers contention with aborts and retry backoff of a second and more.
   */
  private readonly lanes = new SerialLanes();
  /** campaignId → orgId (never changes), so a write finds its lane without a read. */
  private readonly orgOf = new Map<string, string>();

  constructor(
    private readonly db: Firestore,
    options: FirestoreCampaignStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_TRANSACTION_ATTEMPTS;
    this.chunkSize = options.driverChunkSize ?? DRIVER_CHUNK_SIZE;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1 || this.chunkSize > 499) {
      throw new TypeError('driverChunkSize must be an integer in 1..499');
    }
  }

  async create(input: NewCampaign): Promise<{ campaign: Campaign; created: boolean }> {
    if (!isDocumentId(input.campaignId)) throw new TypeError('campaignId cannot be a document id');
    const ids = new Set(input.drivers.map((d) => d.driverId));
    if (ids.size !== input.drivers.length) throw new TypeError('driver ids of a campaign must be unique');
    return guardStore(async () => {
      const existing = (await this.campaignRef(input.campaignId).get()).data();
      if (existing) return { campaign: existing, created: false };
      const now = isoNow(this.clock);
      const { drivers, ...rest } = input;
      const docs: DriverDoc[] = drivers.map((d, order) =>
        withoutUndefined({ ...d, state: 'scheduled', attempts: 0, callIds: [], updatedAt: now, order }),
      );
      for (let i = 0; i < docs.length; i += this.chunkSize) {
        const stored = await this.writeDriverChunk(input.campaignId, docs.slice(i, i + this.chunkSize));
        if (stored) return { campaign: stored, created: false };
      }
      const counts = emptyCounts();
      counts.scheduled = drivers.length;
      const campaign: Campaign = withoutUndefined({
        ...rest,
        status: 'scheduled',
        counts,
        driverCount: drivers.length,
        updatedAt: now,
      });
      return this.db.runTransaction(
        async (tx) => {
          const raced = (await tx.get(this.campaignRef(campaign.campaignId))).data();
          if (raced) return { campaign: raced, created: false };
          tx.create(this.campaignRef(campaign.campaignId), campaign);
          return { campaign, created: true };
        },
        { maxAttempts: this.maxAttempts },
      );
    });
  }

  get(campaignId: string): Promise<Campaign | null> {
    if (!isDocumentId(campaignId)) return Promise.resolve(null);
    return guardStore(async () => (await this.campaignRef(campaignId).get()).data() ?? null);
  }

  list(orgId: string, page: { limit: number; cursor?: string }): Promise<CampaignPage> {
    return guardStore(async () => {
      const after = page.cursor ? decodeListCursor(page.cursor) : undefined;
      if (page.limit <= 0) return { campaigns: [] };
      let query = this.campaigns()
        .where('orgId', '==', orgId)
        .orderBy('createdAt', 'desc')
        .orderBy('campaignId', 'desc');
      if (after) query = query.startAfter(after.at, after.id);
      const found = (await query.limit(page.limit + 1).get()).docs.map((d) => d.data() as Campaign);
      const campaigns = found.slice(0, page.limit);
      const last = campaigns.at(-1);
      return {
        campaigns,
        ...(found.length > page.limit && last
          ? { nextCursor: encodeListCursor(last.createdAt, last.campaignId) }
          : {}),
      };
    });
  }

  drivers(campaignId: string): Promise<CampaignDriver[]> {
    if (!isDocumentId(campaignId)) return Promise.resolve([]);
    return guardStore(async () => {
      // Driver documents of a create that has not finished (yet) belong to no campaign: none without the campaign.
      const [campaign, snap] = await Promise.all([
        this.campaignRef(campaignId).get(),
        this.driverDocs(campaignId).orderBy('order').get(),
      ]);
      if (!campaign.exists) return [];
      return snap.docs.map((d) => fromDriverDoc(d.data() as DriverDoc));
    });
  }

  getDriver(campaignId: string, driverId: string): Promise<CampaignDriver | null> {
    if (!isDocumentId(campaignId)) return Promise.resolve(null);
    return guardStore(async () => {
      const [campaign, driver] = await this.db.getAll(
        this.campaignRef(campaignId),
        this.driverRef(campaignId, driverId),
      );
      const doc = driver?.data() as DriverDoc | undefined;
      return campaign?.exists && doc ? fromDriverDoc(doc) : null;
    });
  }

  updateDriver(
    campaignId: string,
    driverId: string,
    update: DriverUpdate,
  ): Promise<DriverUpdateResult | null> {
    if (!isDocumentId(campaignId)) return Promise.resolve(null);
    return this.transact(campaignId, async (tx): Promise<DriverUpdateResult | null> => {
      const campaignRef = this.campaignRef(campaignId);
      const driverRef = this.driverRef(campaignId, driverId);
      const [campaignSnap, driverSnap] = await tx.getAll(campaignRef, driverRef);
      const campaign = campaignSnap?.data() as Campaign | undefined;
      const doc = driverSnap?.data() as DriverDoc | undefined;
      if (!campaign || !doc) return null;
      const orgRef = this.orgRef(campaign.orgId);
      const org = (await tx.get(orgRef)).data() as OrgDoc | undefined;
      const orgCallsInFlight = org?.callsInFlight ?? 0;
      const driver = fromDriverDoc(doc);
      const proposed = update({
        campaign: structuredClone(campaign),
        driver: structuredClone(driver),
        orgCallsInFlight,
      });
      if (!proposed) return { changed: false, campaign, driver };
      const next = withoutUndefined(proposed);
      const applied = applyDriverChange(campaign, driver, next, isoNow(this.clock));
      const nextCampaign = withoutUndefined(applied.campaign);
      tx.set(driverRef, { ...next, order: doc.order } satisfies DriverDoc);
      tx.set(campaignRef, nextCampaign);
      if (applied.inFlightDelta !== 0) {
        const nextOrg: OrgDoc = {
          orgId: campaign.orgId,
          callsInFlight: orgCallsInFlight + applied.inFlightDelta,
        };
        tx.set(orgRef, nextOrg);
      }
      return { changed: true, campaign: nextCampaign, driver: next };
    });
  }

  updateCampaign(campaignId: string, update: CampaignUpdate): Promise<Campaign | null> {
    if (!isDocumentId(campaignId)) return Promise.resolve(null);
    return this.transact(campaignId, async (tx) => {
      const ref = this.campaignRef(campaignId);
      const campaign = (await tx.get(ref)).data() as Campaign | undefined;
      if (!campaign) return null;
      const proposed = update(structuredClone(campaign));
      if (!proposed) return campaign;
      const next = withoutUndefined({ ...proposed, ...pinned(campaign) });
      tx.set(ref, next);
      return next;
    });
  }

  /**
   * Writes one chunk of a new campaign's drivers, unless the campaign document exists by now (another create of the
   * same campaign finished first): then answers it and writes nothing.
   */
  protected writeDriverChunk(campaignId: string, chunk: DriverDoc[]): Promise<Campaign | undefined> {
    return this.db.runTransaction(
      async (tx) => {
        const existing = (await tx.get(this.campaignRef(campaignId))).data() as Campaign | undefined;
        if (existing) return existing;
        for (const doc of chunk) tx.set(this.driverRef(campaignId, doc.driverId), doc);
        return undefined;
      },
      { maxAttempts: this.maxAttempts },
    );
  }

  private async transact<T>(campaignId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const lane = await this.laneOf(campaignId);
    return this.lanes.run(lane, () =>
      guardStore(() =>
        retryClosedTransaction(() => this.db.runTransaction(fn, { maxAttempts: this.maxAttempts })),
      ),
    );
  }

  /** The lane of a campaign's writes: its org's (the campaign's own while it is unknown). */
  private async laneOf(campaignId: string): Promise<string> {
    let orgId = this.orgOf.get(campaignId);
    if (orgId === undefined) {
      orgId = (await this.get(campaignId))?.orgId;
      if (orgId === undefined) return `campaign:${campaignId}`;
      if (this.orgOf.size >= ORG_CACHE_MAX) this.orgOf.clear();
      this.orgOf.set(campaignId, orgId);
    }
    return `org:${orgId}`;
  }

  private campaigns() {
    return this.db.collection('campaigns');
  }

  private campaignRef(campaignId: string): DocumentReference<Campaign> {
    return this.campaigns().doc(campaignId) as DocumentReference<Campaign>;
  }

  private driverDocs(campaignId: string) {
    return this.campaigns().doc(campaignId).collection('drivers');
  }

  private driverRef(campaignId: string, driverId: string): DocumentReference {
    return this.driverDocs(campaignId).doc(keyHash(driverId));
  }

  private orgRef(orgId: string): DocumentReference {
    return this.db.collection('campaignOrgs').doc(keyHash(orgId));
  }
}

/** Fields a campaign update may not change: identity, creation, and the counts that only driver updates move. */
function pinned(
  campaign: Campaign,
): Pick<Campaign, 'campaignId' | 'orgId' | 'createdAt' | 'counts' | 'driverCount' | 'requestHash'> {
  const { campaignId, orgId, createdAt, counts, driverCount, requestHash } = campaign;
  return { campaignId, orgId, createdAt, counts, driverCount, requestHash };
}

function fromDriverDoc(doc: DriverDoc): CampaignDriver {
  const { order: _order, ...driver } = doc;
  return driver;
}
