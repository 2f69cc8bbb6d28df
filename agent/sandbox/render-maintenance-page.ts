/**
 * What eHealth's front end answers while the platform is under maintenance: HTTP 503 and an HTML
 * page in the three languages of its site, where a SOAP client expects an envelope. Modelled on
 * the public portal's announcement pages; the exact text of the real page is not public.
 */
export function renderMaintenancePage(): string {
  return (
    '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>eHealth - Onderhoud / Maintenance</title></head><body>' +
    '<h1>eHealth-platform</h1>' +
    '<p lang="nl">Het eHealth-platform is momenteel niet beschikbaar wegens onderhoud. Gelieve later opnieuw te proberen.</p>' +
    '<p lang="fr">La plate-forme eHealth est momentanément indisponible pour cause de maintenance. Veuillez réessayer plus tard.</p>' +
    '<p lang="en">The eHealth platform is temporarily unavailable for maintenance. Please try again later.</p>' +
    '<p><small>ehealth-agent sandbox</small></p></body></html>\n'
  )
}
