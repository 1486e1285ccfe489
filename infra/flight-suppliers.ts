import { DuffelJsonFlightSupplier } from '../adapters/duffel-json/adapter';
import { NdcXmlFlightSupplier } from '../adapters/ndc-xml/adapter';
import type { FlightSupplier } from '../activities/ports/flight-supplier';
import type { AppConfig } from './config';

/**
 * The flight suppliers configured, by the name activities use: `duffel` (a Duffel-style
 * aggregator) and `ndc` (an NDC gateway). `npm start` without either runs the sandbox GDS and
 * points both at it; a production deployment sets the real base URLs and credentials.
 */
export function flightSuppliers(config: AppConfig): Record<string, FlightSupplier> {
  const suppliers: Record<string, FlightSupplier> = {};
  if (config.DUFFEL_BASE_URL && config.DUFFEL_ACCESS_TOKEN) {
    suppliers.duffel = new DuffelJsonFlightSupplier({ baseUrl: config.DUFFEL_BASE_URL, accessToken: config.DUFFEL_ACCESS_TOKEN, name: 'duffel' });
  }
  if (config.NDC_BASE_URL) {
    suppliers.ndc = new NdcXmlFlightSupplier({ baseUrl: config.NDC_BASE_URL, version: config.NDC_VERSION, ...(config.NDC_API_KEY ? { apiKey: config.NDC_API_KEY } : {}), name: 'ndc' });
  }
  return suppliers;
}
