import { useNavigate } from 'react-router-dom';
import { AssetForm } from '../modules/assets/AssetForm';
import { notifySuccess } from '../ui/notify';
import { PageHeader } from '../ui/PageHeader';

/** Create an asset; its tag is generated from the category's pattern when left empty. */
export function NewAssetPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="New asset" description="Pick the model first: the category's custom fields appear below it." />
      <AssetForm
        asset={null}
        onCancel={() => void navigate('/assets')}
        onSaved={(a) => {
          notifySuccess(`${a.assetTag} was created.`);
          void navigate(`/assets/${a.id}`);
        }}
      />
    </>
  );
}
