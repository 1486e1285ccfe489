/**
 * Airports Itinera knows, with their IANA zones: segment times arrive as local wall-clock times
 * without an offset, and only the airport's zone turns them into instants. An unknown code is a
 * supplier error (`malformed-response` naming the path), never a guess.
 */
export interface Airport {
  code: string;
  name: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  timeZone: string;
}

const LIST: Airport[] = [
  { code: 'LHR', name: 'London Heathrow', city: 'London', country: 'GB', timeZone: 'Europe/London' },
  { code: 'LGW', name: 'London Gatwick', city: 'London', country: 'GB', timeZone: 'Europe/London' },
  { code: 'MAN', name: 'Manchester', city: 'Manchester', country: 'GB', timeZone: 'Europe/London' },
  { code: 'EDI', name: 'Edinburgh', city: 'Edinburgh', country: 'GB', timeZone: 'Europe/London' },
  { code: 'CDG', name: 'Paris Charles de Gaulle', city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
  { code: 'FRA', name: 'Frankfurt', city: 'Frankfurt', country: 'DE', timeZone: 'Europe/Berlin' },
  { code: 'AMS', name: 'Amsterdam Schiphol', city: 'Amsterdam', country: 'NL', timeZone: 'Europe/Amsterdam' },
  { code: 'MAD', name: 'Madrid Barajas', city: 'Madrid', country: 'ES', timeZone: 'Europe/Madrid' },
  { code: 'FCO', name: 'Rome Fiumicino', city: 'Rome', country: 'IT', timeZone: 'Europe/Rome' },
  { code: 'ATH', name: 'Athens', city: 'Athens', country: 'GR', timeZone: 'Europe/Athens' },
  { code: 'IST', name: 'Istanbul', city: 'Istanbul', country: 'TR', timeZone: 'Europe/Istanbul' },
  { code: 'DXB', name: 'Dubai', city: 'Dubai', country: 'AE', timeZone: 'Asia/Dubai' },
  { code: 'DOH', name: 'Doha Hamad', city: 'Doha', country: 'QA', timeZone: 'Asia/Qatar' },
  { code: 'NBO', name: 'Nairobi Jomo Kenyatta', city: 'Nairobi', country: 'KE', timeZone: 'Africa/Nairobi' },
  { code: 'JNB', name: 'Johannesburg O. R. Tambo', city: 'Johannesburg', country: 'ZA', timeZone: 'Africa/Johannesburg' },
  { code: 'CPT', name: 'Cape Town', city: 'Cape Town', country: 'ZA', timeZone: 'Africa/Johannesburg' },
  { code: 'DEL', name: 'Delhi Indira Gandhi', city: 'Delhi', country: 'IN', timeZone: 'Asia/Kolkata' },
  { code: 'BKK', name: 'Bangkok Suvarnabhumi', city: 'Bangkok', country: 'TH', timeZone: 'Asia/Bangkok' },
  { code: 'SIN', name: 'Singapore Changi', city: 'Singapore', country: 'SG', timeZone: 'Asia/Singapore' },
  { code: 'HKG', name: 'Hong Kong', city: 'Hong Kong', country: 'HK', timeZone: 'Asia/Hong_Kong' },
  { code: 'NRT', name: 'Tokyo Narita', city: 'Tokyo', country: 'JP', timeZone: 'Asia/Tokyo' },
  { code: 'SYD', name: 'Sydney Kingsford Smith', city: 'Sydney', country: 'AU', timeZone: 'Australia/Sydney' },
  { code: 'AKL', name: 'Auckland', city: 'Auckland', country: 'NZ', timeZone: 'Pacific/Auckland' },
  { code: 'HNL', name: 'Honolulu Daniel K. Inouye', city: 'Honolulu', country: 'US', timeZone: 'Pacific/Honolulu' },
  { code: 'LAX', name: 'Los Angeles', city: 'Los Angeles', country: 'US', timeZone: 'America/Los_Angeles' },
  { code: 'SFO', name: 'San Francisco', city: 'San Francisco', country: 'US', timeZone: 'America/Los_Angeles' },
  { code: 'JFK', name: 'New York John F. Kennedy', city: 'New York', country: 'US', timeZone: 'America/New_York' },
  { code: 'MIA', name: 'Miami', city: 'Miami', country: 'US', timeZone: 'America/New_York' },
  { code: 'YYZ', name: 'Toronto Pearson', city: 'Toronto', country: 'CA', timeZone: 'America/Toronto' },
  { code: 'GRU', name: 'São Paulo Guarulhos', city: 'São Paulo', country: 'BR', timeZone: 'America/Sao_Paulo' },
  { code: 'LIM', name: 'Lima Jorge Chávez', city: 'Lima', country: 'PE', timeZone: 'America/Lima' },
];

export const AIRPORTS: ReadonlyMap<string, Airport> = new Map(LIST.map((a) => [a.code, a]));

export function airport(code: string): Airport | undefined {
  return AIRPORTS.get(code);
}

/** Carriers Itinera knows (IATA code → name); an unknown marketing carrier is a supplier error. */
export const CARRIERS: ReadonlyMap<string, string> = new Map([
  ['BA', 'British Airways'],
  ['VS', 'Virgin Atlantic'],
  ['AF', 'Air France'],
  ['KL', 'KLM'],
  ['LH', 'Lufthansa'],
  ['IB', 'Iberia'],
  ['AZ', 'ITA Airways'],
  ['EK', 'Emirates'],
  ['QR', 'Qatar Airways'],
  ['KQ', 'Kenya Airways'],
  ['SQ', 'Singapore Airlines'],
  ['CX', 'Cathay Pacific'],
  ['JL', 'Japan Airlines'],
  ['QF', 'Qantas'],
  ['NZ', 'Air New Zealand'],
  ['AA', 'American Airlines'],
  ['DL', 'Delta Air Lines'],
  ['UA', 'United Airlines'],
  ['AC', 'Air Canada'],
  ['LA', 'LATAM Airlines'],
  ['TK', 'Turkish Airlines'],
  ['ZZ', 'Itinera Sandbox Air'],
]);
